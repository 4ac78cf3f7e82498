package io.ganglion.retrieval.shard;

import io.ganglion.retrieval.index.Shard;
import io.ganglion.retrieval.index.SnapshotDirectory;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Snapshots of shard copies under {@code dataDir/indexes}: {@code <kbId>/shard-<n>/} holds {@value #MANIFEST}
 * ({@code {"format","shards","shard","version"}}) and the shard's files in {@code data/}. A snapshot is written next
 * to the old one and swapped in when complete, so a crash leaves one whole snapshot. A snapshot of another format or
 * shard count is ignored (the copy rebuilds from PostgreSQL); one at an older version is caught up from the change
 * log. Earlier layouts ({@code <kbId>/index/}, format 1: all shards of a knowledge base in one snapshot) are never
 * read, and are deleted when a copy of that knowledge base is written.
 * <p>
 * <b>NOTE</b>: every method blocks on disk: call from the retrieval workers.
 */
final class ReplicaSnapshots {

  static final String MANIFEST = "replica.json";
  /** The snapshot format; a copy written in another is rebuilt. */
  static final int FORMAT = 2;
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaSnapshots.class);

  /** A loaded snapshot: the shard and the version it holds every change up to. */
  record Loaded(Shard shard, long version) {
  }

  private final Path root;

  ReplicaSnapshots(Path root) {
    this.root = root;
  }

  Path dir(ShardKey key) {
    return root.resolve(Long.toString(key.kbId())).resolve("shard-" + key.shard());
  }

  /** The copy's snapshot, or null when there is none usable. */
  Loaded load(ShardKey key, int kbShards) {
    Path dir = dir(key);
    Path manifest = dir.resolve(MANIFEST);
    if (!Files.exists(manifest)) {
      return null;
    }
    try {
      JsonObject m = new JsonObject(Files.readString(manifest, StandardCharsets.UTF_8));
      if (m.getInteger("format", -1) != FORMAT || m.getInteger("shards", -1) != kbShards
        || m.getInteger("shard", -1) != key.shard()) {
        LOG.info("snapshot of {} is of another format or layout ({}); rebuilding", key, m.encode());
        return null;
      }
      return new Loaded(Shard.load(dir.resolve("data")), m.getLong("version"));
    } catch (IOException | RuntimeException e) {
      LOG.warn("snapshot of {} unreadable, rebuilding: {}", key, e.toString());
      return null;
    }
  }

  /** Writes {@code shard} as the snapshot of {@code key} at {@code version}, replacing the previous one. */
  void write(ShardKey key, int kbShards, Shard shard, long version) throws IOException {
    Path dir = dir(key);
    Path fresh = SnapshotDirectory.fresh(dir);
    SnapshotDirectory.deleteTree(dir.getParent().resolve("index")); // the format-1 layout of this knowledge base
    Files.deleteIfExists(dir.getParent().resolve("version"));
    shard.writeSnapshot(fresh.resolve("data"));
    JsonObject manifest = new JsonObject().put("format", FORMAT).put("shards", kbShards).put("shard", key.shard())
      .put("version", version);
    Files.writeString(fresh.resolve(MANIFEST), manifest.encodePrettily(), StandardCharsets.UTF_8);
    SnapshotDirectory.replace(fresh, dir);
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
