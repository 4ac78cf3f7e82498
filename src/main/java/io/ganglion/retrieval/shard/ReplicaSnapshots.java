package io.ganglion.retrieval.shard;

import io.ganglion.retrieval.index.Shard;
import io.ganglion.retrieval.index.SnapshotChecksums;
import io.ganglion.retrieval.index.SnapshotDirectory;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Snapshots of shard copies under {@code dataDir/indexes}: {@code <kbId>/shard-<n>/} holds {@value #MANIFEST}
 * ({@code {"format","shards","shard","version","files"}}) and the shard's files in {@code data/}, written and checked
 * by {@link SnapshotDirectory} (swapped in only when complete and on disk, every file checksummed). An on-disk
 * vector segment's files are immutable: a snapshot hard-links them from the copy's working directory
 * ({@link ReplicaWorkspace}) instead of copying them, a load links them back, and the copy remembers their checksums
 * ({@link Shard#snapshotChecksums}), so they are read once (when verified at load or first sealed), not at every
 * snapshot. A snapshot that is damaged, cut short, or of another format or shard count is ignored (the copy rebuilds
 * from PostgreSQL); one at an older version is caught up from the change log. The single-node layout of earlier
 * versions ({@code <kbId>/index/} plus {@code <kbId>/version} and {@code <kbId>/work/}: all shards of a knowledge base
 * in one snapshot) is never read, and is deleted when a copy of that knowledge base is written.
 * <p>
 * <b>NOTE</b>: every method blocks on disk: call from the retrieval workers.
 */
final class ReplicaSnapshots {

  static final String MANIFEST = "replica.json";
  /**
   * The snapshot format; a copy written in another is rebuilt. 5: vector indexes of segments (an on-disk graph
   * linked, in-heap graphs) and the keyword index's heading field and document-id doc values; 2: one in-heap graph
   * per shard, neither keyword field (3 and 4 were the single-node layout's: segments, keyword fields).
   */
  static final int FORMAT = 5;
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaSnapshots.class);

  /** A loaded snapshot: the shard and the version it holds every change up to. */
  record Loaded(Shard shard, long version) {
  }

  private final Path root;
  private final ReplicaWorkspace workspace;

  ReplicaSnapshots(Path root, ReplicaWorkspace workspace) {
    this.root = root;
    this.workspace = workspace;
  }

  Path dir(ShardKey key) {
    return root.resolve(Long.toString(key.kbId())).resolve("shard-" + key.shard());
  }

  /** The copy's snapshot, or null when there is none usable (none, damaged, or of another format or layout). */
  Loaded load(ShardKey key, int kbShards) {
    Path dir = dir(key);
    if (!Files.exists(dir.resolve(MANIFEST))) {
      return null;
    }
    try {
      SnapshotChecksums verified = new SnapshotChecksums();
      JsonObject m = SnapshotDirectory.read(dir, MANIFEST, FORMAT, verified);
      if (m.getInteger("shards", -1) != kbShards || m.getInteger("shard", -1) != key.shard()) {
        LOG.info("snapshot of {} is of another layout (shards {}, shard {}); rebuilding", key, m.getValue("shards"),
          m.getValue("shard"));
        return null;
      }
      Shard shard = workspace.load(key, dir.resolve("data"));
      shard.snapshotChecksums().addAll(verified); // its linked segment files need not be read at its next snapshot
      return new Loaded(shard, m.getLong("version"));
    } catch (IOException | RuntimeException e) {
      LOG.warn("snapshot of {} unusable, rebuilding: {}", key, e.toString());
      return null;
    }
  }

  /** Writes {@code shard} as the snapshot of {@code key} at {@code version}, replacing the previous one. */
  void write(ShardKey key, int kbShards, Shard shard, long version) throws IOException {
    Path dir = dir(key);
    SnapshotDirectory.deleteTree(dir.getParent().resolve("index")); // the single-node layout of this knowledge base
    SnapshotDirectory.deleteTree(dir.getParent().resolve("work"));
    Files.deleteIfExists(dir.getParent().resolve("version"));
    JsonObject manifest = new JsonObject().put("format", FORMAT).put("shards", kbShards).put("shard", key.shard())
      .put("version", version);
    SnapshotDirectory.write(dir, MANIFEST, manifest, fresh -> shard.writeSnapshot(fresh.resolve("data")),
      shard.snapshotChecksums());
  }

  /** Removes the copy's snapshot (the node no longer holds it). */
  void delete(ShardKey key) throws IOException {
    SnapshotDirectory.deleteTree(dir(key));
  }

  /** Removes every snapshot of a knowledge base (it was deleted). */
  void deleteKb(long kbId) throws IOException {
    SnapshotDirectory.deleteTree(root.resolve(Long.toString(kbId)));
  }
}
