package io.ganglion.retrieval.shard;

import io.ganglion.retrieval.index.Shard;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * This node's copy of one shard.
 * <p>
 * <b>NOTE</b>: confined to the retrieval verticle's context, except {@link #shard}, which searches read from worker
 * threads (a {@link Shard} is thread-safe). Loading and catching up are chained on {@link #work}, so they never overlap
 * for one copy.
 */
final class Replica {

  final ShardKey key;
  /** The shard count of the copy's knowledge base (it decides which documents belong here). */
  final int kbShards;
  final Promise<Void> activated = Promise.promise();
  ReplicaState state = ReplicaState.LOADING;
  volatile Shard shard;
  /** Every change up to this knowledge-base version is applied. */
  long version = -1;
  /** The highest version this copy was told about while it could not apply it yet. */
  long target;
  /** Live chunks in the copy after its last load or catch-up (for the status and the benchmarks). */
  volatile int chunks;
  /** Changed since its last snapshot. */
  boolean dirty;
  /** The copy's work so far; the next load or catch-up runs after it. */
  Future<Void> work = Future.succeededFuture();

  Replica(ShardKey key, int kbShards) {
    this.key = key;
    this.kbShards = kbShards;
  }

  boolean active() {
    return state == ReplicaState.ACTIVE;
  }
}
