package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An in-heap shard of 50,000 seeded clustered vectors (the generator of {@code bench/ann.sh}, at 32 dimensions),
 * below the default disk threshold, so its graph is walked on byte codes ({@link ScalarCodes}) and the walk's
 * candidates re-scored on the float32 vectors; searched at the default beam through {@link KnowledgeBaseIndex#search}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("On 50,000 seeded clustered vectors, an in-heap shard walked on byte codes")
class HeapShardRecallTest {

  private static final int SIZE = 50_000;
  private static final int DIMENSION = 32;
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private IndexResources resources;
  private Path work;
  private KnowledgeBaseIndex index;
  private List<ChunkRecord> chunks;
  private List<float[]> queries;
  private ClusteredVectors data;

  @BeforeAll
  void build() throws IOException {
    resources = IndexResources.create(new VectorIndexConfig(VectorIndexConfig.DEFAULTS.diskAbove(),
      VectorIndexConfig.DEFAULTS.mergeAbove(), 0, 0, 2));
    data = new ClusteredVectors(43, DIMENSION);
    chunks = data.chunks(0, SIZE);
    queries = java.util.stream.Stream.generate(data::next).limit(100).toList();
    work = Files.createTempDirectory("heap-recall-");
    index = KnowledgeBaseIndex.rebuild(1, chunks, work.resolve("index"), resources);
  }

  @AfterAll
  void close() throws IOException {
    index.close();
    resources.close();
    pool.shutdownNow();
    VectorIndex.deleteTree(work);
  }

  private double recall(KnowledgeBaseIndex searched, List<ChunkRecord> live, Map<String, String> filters) {
    return ClusteredVectors.meanRecall(searched, live, queries, filters, pool);
  }

  @Test
  @DisplayName("is reported as heap-sq8, its codes counted in its heap")
  void kind() {
    VectorIndexStats stats = index.vectorStats().getFirst();
    assertThat(stats.kind()).isEqualTo(VectorIndexStats.Kind.HEAP_SQ8);
    assertThat(stats.kind().label()).isEqualTo("heap-sq8");
    assertThat(stats.onDisk()).isZero();
    assertThat(stats.heapBytes() / (double) SIZE).isGreaterThan(DIMENSION * (Float.BYTES + 1));
  }

  @Test
  @DisplayName("reaches recall@10 >= 0.95 against exact search, and under filters matching 1%, 10% and 50%")
  void recall() {
    assertThat(recall(index, chunks, Map.of())).isGreaterThanOrEqualTo(0.95);
    assertThat(recall(index, chunks, Map.of("percent", "p17"))).as("1%").isGreaterThanOrEqualTo(0.95);
    assertThat(recall(index, chunks, Map.of("tenth", "t4"))).as("10%").isGreaterThanOrEqualTo(0.95);
    assertThat(recall(index, chunks, Map.of("half", "h1"))).as("50%").isGreaterThanOrEqualTo(0.95);
  }

  @Test
  @DisplayName("after 2,000 inserts and 1,000 deletes, and after a snapshot and reload, keeps recall@10 >= 0.95")
  void insertDeleteSnapshotReload() throws IOException {
    index.snapshot(work.resolve("snapshot-a"));
    try (KnowledgeBaseIndex copy = KnowledgeBaseIndex.load(work.resolve("snapshot-a"), work.resolve("copy"),
           resources)) {
      List<ChunkRecord> added = data.chunks(SIZE, 2_000);
      copy.append(added);
      Set<String> gone = new HashSet<>();
      for (int i = 0; i < 1_000; i++) {
        ChunkRecord c = chunks.get(i * 50 + 3);
        copy.delete(c.documentId());
        gone.add(c.chunkId());
      }
      copy.refresh();
      List<ChunkRecord> live = new ArrayList<>(added);
      chunks.stream().filter(c -> !gone.contains(c.chunkId())).forEach(live::add);
      assertThat(copy.vectorStats().getFirst().kind()).isEqualTo(VectorIndexStats.Kind.HEAP_SQ8);
      assertThat(recall(copy, live, Map.of())).isGreaterThanOrEqualTo(0.95);
      // a new vector is found by its own vector, deleted ones never
      float[] own = added.get(1_234).vector();
      List<String> top = copy.search(new SearchQuery(null, own, SearchMode.VECTOR, 10, 100, Map.of()),
          new ReciprocalRankFusion(60), pool)
        .join().stream().map(Hit::chunkId).toList();
      assertThat(top.getFirst()).isEqualTo(added.get(1_234).chunkId());
      assertThat(top).doesNotContainAnyElementsOf(gone);

      copy.snapshot(work.resolve("snapshot-b"));
      try (KnowledgeBaseIndex reloaded = KnowledgeBaseIndex.load(work.resolve("snapshot-b"), work.resolve("reloaded"),
             resources)) {
        assertThat(reloaded.vectorStats().getFirst().kind()).isEqualTo(VectorIndexStats.Kind.HEAP_SQ8);
        assertThat(recall(reloaded, live, Map.of())).isGreaterThanOrEqualTo(0.95);
      }
    }
  }
}
