package io.ganglion.retrieval.shard;

import io.ganglion.bus.ErrorCode;
import io.ganglion.retrieval.impl.RetrievalWorkers;
import io.ganglion.retrieval.index.CorpusStatistics;
import io.ganglion.retrieval.index.Rankings;
import io.ganglion.retrieval.index.SearchQuery;
import io.ganglion.retrieval.index.Shard;
import io.ganglion.retrieval.index.ShardQuery;
import io.ganglion.retrieval.index.StoredChunk;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps of a search on this node's active copies, each shard in parallel on the retrieval workers. Serves both
 * the searches this node coordinates and those other nodes send it ({@link ShardEndpoint}).
 */
final class LocalShards implements ShardHost {

  private final ShardReplicas replicas;
  private final RetrievalWorkers workers;
  private final String nodeId;

  LocalShards(ShardReplicas replicas, RetrievalWorkers workers, String nodeId) {
    this.replicas = replicas;
    this.workers = workers;
    this.nodeId = nodeId;
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public Future<Map<Integer, CorpusStatistics>> statistics(long kbId, List<Integer> shards, SearchQuery query,
                                                         long deadline) {
    ShardQuery q = ShardQuery.of(query);
    return eachIndexed(kbId, shards, deadline, (s, shard) -> shard.statistics(q));
  }

  @Override
  public Future<Map<Integer, Ranked>> rank(long kbId, List<Integer> shards, SearchQuery query, CorpusStatistics global,
                                           long deadline) {
    ShardQuery q = ShardQuery.of(query);
    return eachIndexed(kbId, shards, deadline, (s, shard) -> new Ranked(
      q.keyword() ? Rankings.located(s, shard.keyword(q, global)) : List.of(),
      q.vector() ? Rankings.located(s, shard.vector(q)) : List.of()));
  }

  @Override
  public Future<Map<Integer, Map<String, StoredChunk>>> fetch(long kbId, Map<Integer, List<String>> chunkIds,
                                                             long deadline) {
    return eachIndexed(kbId, new ArrayList<>(chunkIds.keySet()), deadline, (s, shard) -> shard.fetch(chunkIds.get(s)));
  }

  private <T> Future<Map<Integer, T>> eachIndexed(long kbId, List<Integer> shards, long deadline, IndexedStep<T> step) {
    Map<Integer, Future<T>> perShard = new HashMap<>();
    for (int s : shards) {
      Shard shard = replicas.active(new ShardKey(kbId, s));
      if (shard == null) {
        return Future.failedFuture(ErrorCode.UNAVAILABLE.exception("no active copy of shard " + kbId + "/" + s
          + " on " + nodeId));
      }
      perShard.put(s, workers.run(() -> step.run(s, shard), deadline));
    }
    return Future.all(new ArrayList<>(perShard.values())).map(v -> {
      Map<Integer, T> out = new HashMap<>();
      perShard.forEach((s, f) -> out.put(s, f.result()));
      return out;
    });
  }

  @FunctionalInterface
  private interface IndexedStep<T> {
    T run(int s, Shard shard) throws Exception;
  }
}
