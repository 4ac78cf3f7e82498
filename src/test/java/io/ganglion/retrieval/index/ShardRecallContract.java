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
import org.junit.jupiter.api.TestInstance;

/**
 * What a large shard of either on-disk kind owes, on 50,000 seeded clustered vectors (the generator of
 * {@code bench/ann.sh} at a smaller dimension) in one shard, searched at the default beam through
 * {@link KnowledgeBaseIndex#search}: recall@10 against exact search, unfiltered and under filters matching 1%, 10%
 * and 50% of the vectors (the first two are scored exactly, the last walks the graph with the filter).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ShardRecallContract {

  static final int SIZE = 50_000;
  static final int DIMENSION = 32;
  private static final int QUERIES = 100;
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final Fusion fusion = new ReciprocalRankFusion(60);
  private IndexResources resources;
  KnowledgeBaseIndex index;
  private List<ChunkRecord> chunks;
  private List<float[]> queries;

  /** The vector settings of the kind under test; a disk threshold below {@link #SIZE}. */
  abstract VectorIndexConfig config();

  abstract VectorIndexStats.Kind kind();

  @BeforeAll
  void build() throws IOException {
    resources = IndexResources.create(config());
    ClusteredVectors data = new ClusteredVectors(42, DIMENSION);
    chunks = data.chunks(0, SIZE);
    queries = java.util.stream.Stream.generate(data::next).limit(QUERIES).toList();
    Path work = Files.createTempDirectory("shard-recall-");
    index = KnowledgeBaseIndex.rebuild(1, chunks, work, resources);
  }

  @AfterAll
  void close() throws IOException {
    index.close();
    resources.close();
    pool.shutdownNow();
  }

  /** Mean recall@10 over the queries (the first 50 under a filter). */
  private double recall(Map<String, String> filters) {
    double sum = 0;
    List<float[]> asked = filters.isEmpty() ? queries : queries.subList(0, 50);
    for (float[] q : asked) {
      List<String> found = index.search(new SearchQuery(null, q, SearchMode.VECTOR, 10, 100, filters), fusion, pool)
        .join().stream().map(Hit::chunkId).toList();
      sum += ClusteredVectors.recall(ClusteredVectors.exact(chunks, q, 10, filters), found);
    }
    return sum / asked.size();
  }

  @Test
  @DisplayName("holds its vectors on disk, with less heap per vector than the float32 vector alone")
  void heldOnDisk() {
    VectorIndexStats stats = index.vectorStats().getFirst();
    assertThat(stats.kind()).isEqualTo(kind());
    assertThat(stats.onDisk()).isEqualTo(SIZE);
    assertThat(stats.diskBytes()).isGreaterThan((long) SIZE * DIMENSION * Float.BYTES);
    assertThat(stats.heapBytes() / (double) SIZE).isLessThan(DIMENSION * Float.BYTES);
  }

  @Test
  @DisplayName("reaches recall@10 >= 0.95 against exact search")
  void recall() {
    assertThat(recall(Map.of())).isGreaterThanOrEqualTo(0.95);
  }

  @Test
  @DisplayName("keeps recall@10 >= 0.95 under filters matching 1%, 10% and 50% of the vectors")
  void filters() {
    assertThat(recall(Map.of("percent", "p17"))).as("1%").isGreaterThanOrEqualTo(0.95);
    assertThat(recall(Map.of("tenth", "t4"))).as("10%").isGreaterThanOrEqualTo(0.95);
    assertThat(recall(Map.of("half", "h1"))).as("50%").isGreaterThanOrEqualTo(0.95);
  }
}
