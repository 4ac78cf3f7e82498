package io.ganglion.retrieval.shard;

import io.ganglion.retrieval.index.CorpusStatistics;
import io.ganglion.retrieval.index.Rankings;
import io.ganglion.retrieval.index.SearchQuery;
import io.ganglion.retrieval.index.StoredChunk;
import io.vertx.core.Future;

import java.util.List;
import java.util.Map;

/**
 * Where some shards of one search run: this node ({@link LocalShards}) or another over the event bus
 * ({@link RemoteShards}). Each step answers per shard, so a shard that fails can be retried alone on another copy.
 * A host fails a step when it does not hold an active copy of one of the shards (any more). Every step carries the
 * search's deadline (epoch ms, {@code Long.MAX_VALUE}: none): a step still queued for a retrieval worker when it
 * passes is dropped unrun (5040).
 */
interface ShardHost {

  /** The {@code cluster.nodeId} of the node. */
  String nodeId();

  /** BM25 statistics of the query's terms, per shard. */
  Future<Map<Integer, CorpusStatistics>> statistics(long kbId, List<Integer> shards, SearchQuery query, long deadline);

  /** Each shard's keyword ranking (scored with {@code global}) and vector ranking, each cut to the candidates. */
  Future<Map<Integer, Ranked>> rank(long kbId, List<Integer> shards, SearchQuery query, CorpusStatistics global,
                                    long deadline);

  /** The stored fields of chunks, per shard. */
  Future<Map<Integer, Map<String, StoredChunk>>> fetch(long kbId, Map<Integer, List<String>> chunkIds, long deadline);

  /** One shard's two rankings. */
  record Ranked(List<Rankings.Located> keyword, List<Rankings.Located> vector) {
  }
}
