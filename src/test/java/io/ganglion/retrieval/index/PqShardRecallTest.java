package io.ganglion.retrieval.index;

import org.junit.jupiter.api.DisplayName;

@DisplayName("On 50,000 seeded clustered vectors, a shard whose on-disk graph is walked with PQ codes and reranked")
class PqShardRecallTest extends ShardRecallContract {

  @Override
  VectorIndexConfig config() {
    // 16 bytes per 32-d vector: the 8x compression of 192 bytes per 384-d vector
    return new VectorIndexConfig(20_000, 20_000, DIMENSION / 2, 0, 2);
  }

  @Override
  VectorIndexStats.Kind kind() {
    return VectorIndexStats.Kind.DISK_PQ;
  }
}
