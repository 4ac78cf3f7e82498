package io.ganglion.retrieval.index;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The checksums of one index's last snapshot, kept from one snapshot to the next so that the immutable files every
 * snapshot of it hard-links (an on-disk vector segment's graph, codes and entries: about 1.7 GB at a million 384-d
 * vectors) are read once, when first sealed or when verified at load, instead of at every snapshot. Keyed by the file
 * itself (file system key, size, modification time; see {@link SnapshotFiles#seal(Path, Map)}), so a link shares its
 * target's entry and a rewritten file never matches.
 * <p>
 * <b>NOTE</b>: thread-safe; a seal or verification holds the lock while it reads files.
 */
public final class SnapshotChecksums {

  private final Map<Object, Long> known = new HashMap<>();

  /** Forces and lists the files under {@code dir}, reading only those not known; then knows exactly these. */
  synchronized JsonObject seal(Path dir) throws IOException {
    return SnapshotFiles.seal(dir, known);
  }

  /** Checks the files under {@code dir} against {@code listed} and adds their checksums to what is known. */
  synchronized void verify(Path dir, String manifestName, JsonObject listed) throws IOException {
    SnapshotFiles.verify(dir, manifestName, listed, known);
  }

  /** Adds what {@code other} knows (the checksums verified when the snapshot an index was loaded from was read). */
  public void addAll(SnapshotChecksums other) {
    Map<Object, Long> copy;
    synchronized (other) {
      copy = Map.copyOf(other.known);
    }
    synchronized (this) {
      known.putAll(copy);
    }
  }

  /** How many files' checksums are known (for tests). */
  synchronized int size() {
    return known.size();
  }
}
