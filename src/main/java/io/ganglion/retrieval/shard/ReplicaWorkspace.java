package io.ganglion.retrieval.shard;

import io.ganglion.retrieval.index.ChunkRecord;
import io.ganglion.retrieval.index.IndexResources;
import io.ganglion.retrieval.index.Shard;
import io.ganglion.retrieval.index.SnapshotDirectory;
import io.ganglion.retrieval.index.VectorIndexConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where this node's shard copies keep their working files, and what their vector indexes share. Every copy this node
 * creates, rebuilds or loads gets a working directory of its own, {@code <root>/<kbId>-<shard>-<n>} (a copy rebuilt
 * while the one it replaces still serves must not share its files), holding its on-disk vector segments and a
 * rebuild's scratch file, and deleted when the copy is closed; and the node's one {@link IndexResources}: the
 * {@code retrieval.vectors.*} settings (an on-disk graph above {@code diskAbove} vectors, PQ codes when
 * {@code pqSubspaces} is set), the merge thread and the build pool. The root is emptied at start: what a killed
 * process left there is no snapshot's.
 * <p>
 * <b>NOTE</b>: {@link #rebuild} and {@link #load} block: call them on the retrieval workers.
 */
final class ReplicaWorkspace implements AutoCloseable {

  private final Path root;
  private final IndexResources resources;
  private final AtomicLong copies = new AtomicLong();

  ReplicaWorkspace(Path root, VectorIndexConfig vectors) {
    this.root = root;
    this.resources = IndexResources.create(vectors);
  }

  /** Removes what an earlier process left (before any copy of this one opens). */
  void clear() throws IOException {
    SnapshotDirectory.deleteTree(root);
  }

  /** A copy of {@code key} holding {@code records} as they are. */
  Shard rebuild(ShardKey key, Iterable<ChunkRecord> records) throws IOException {
    return Shard.rebuild(records, next(key), resources);
  }

  /** A copy of {@code key} from the shard files under {@code snapshot} (linked, not copied, where they are immutable). */
  Shard load(ShardKey key, Path snapshot) throws IOException {
    return Shard.load(snapshot, next(key), resources);
  }

  private Path next(ShardKey key) {
    return root.resolve(key.kbId() + "-" + key.shard() + "-" + copies.incrementAndGet());
  }

  /** Stops the merge thread (after the running merge) and the build pool; call once every copy is closed. */
  @Override
  public void close() {
    resources.close();
  }
}
