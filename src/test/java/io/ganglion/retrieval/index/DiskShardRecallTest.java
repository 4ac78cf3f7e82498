package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("On 50,000 seeded clustered vectors, a shard on disk with PQ codes at the default beam")
class DiskShardRecallTest {

  private static final int SIZE = 50_000;
  private static final int DIMENSION = 64;
  private static final int QUERIES = 100;
  private static final ExecutorService POOL = Executors.newFixedThreadPool(2);
  private static final Fusion RRF = new ReciprocalRankFusion(60);
  private static IndexResources resources;
  private static Path work;
  private static KnowledgeBaseIndex index;
  private static List<ChunkRecord> chunks;
  private static List<float[]> queries;

  @BeforeAll
  static void build() throws IOException {
    resources = IndexResources.create(new VectorIndexConfig(20_000, 20_000, 0, 2));
    ClusteredVectors data = new ClusteredVectors(42, DIMENSION);
    chunks = data.chunks(0, SIZE);
    queries = java.util.stream.Stream.generate(data::next).limit(QUERIES).toList();
    work = Files.createTempDirectory("disk-recall-");
    index = KnowledgeBaseIndex.rebuild(1, chunks, work, resources);
  }

  @AfterAll
  static void close() throws IOException {
    index.close();
    resources.close();
    POOL.shutdownNow();
  }

  private static double recall(Map<String, String> filters) {
    double sum = 0;
    for (float[] q : queries) {
      List<String> found = index.search(new SearchQuery(null, q, SearchMode.VECTOR, 10, 100, filters), RRF, POOL)
        .join().stream().map(Hit::chunkId).toList();
      sum += ClusteredVectors.recall(ClusteredVectors.exact(chunks, q, 10, filters), found);
    }
    return sum / queries.size();
  }

  @Test
  @DisplayName("holds its vectors on disk, with less heap per vector than the float32 vector alone")
  void heldOnDisk() {
    VectorIndexStats stats = index.vectorStats().getFirst();
    assertThat(stats.kind()).isEqualTo(VectorIndexStats.Kind.DISK);
    assertThat(stats.onDisk()).isEqualTo(SIZE);
    assertThat(stats.heapBytes() / (double) SIZE).isLessThan(DIMENSION * Float.BYTES);
  }

  @Test
  @DisplayName("reaches recall@10 >= 0.95 against exact search")
  void recall() {
    assertThat(recall(Map.of())).isGreaterThanOrEqualTo(0.95);
  }

  @Test
  @DisplayName("keeps recall@10 >= 0.95 under a filter matching 10% of the vectors")
  void tenPercentFilter() {
    assertThat(recall(Map.of("tenth", "t4"))).isGreaterThanOrEqualTo(0.95);
  }

  @Test
  @DisplayName("keeps recall@10 >= 0.95 under a filter matching 1% of the vectors")
  void onePercentFilter() {
    assertThat(recall(Map.of("percent", "p17"))).isGreaterThanOrEqualTo(0.95);
  }
}
