package io.ganglion.retrieval.index;

import org.junit.jupiter.api.DisplayName;

@DisplayName("On 50,000 seeded clustered vectors, a shard whose on-disk graph is walked with its float32 vectors")
class DiskShardRecallTest extends ShardRecallContract {

  @Override
  VectorIndexConfig config() {
    return new VectorIndexConfig(20_000, 20_000, 0, 0, 2);
  }

  @Override
  VectorIndexStats.Kind kind() {
    return VectorIndexStats.Kind.DISK;
  }
}
