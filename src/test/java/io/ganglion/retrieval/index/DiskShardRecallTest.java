package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both on-disk kinds on 50,000 seeded clustered vectors (the generator of {@code bench/ann.sh}, at 32 dimensions) in
 * one shard, searched at the default beam through {@link KnowledgeBaseIndex#search}. One graph serves both: the shard
 * is rebuilt with PQ codes (a compressed shard), snapshotted, and loaded again without its codes file (removed from the manifest too), which makes the
 * same on-disk graph a shard walked with its float32 vectors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("On 50,000 seeded clustered vectors, a shard on disk")
class DiskShardRecallTest {

  private static final int SIZE = 50_000;
  private static final int DIMENSION = 32;
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private IndexResources resources;
  private Path work;
  private KnowledgeBaseIndex compressed;
  private KnowledgeBaseIndex uncompressed;
  private List<ChunkRecord> chunks;
  private List<float[]> queries;
  private ClusteredVectors data;

  @BeforeAll
  void build() throws IOException {
    // 16 bytes per 32-d vector: the 8x compression of 192 bytes per 384-d vector
    resources = IndexResources.create(new VectorIndexConfig(20_000, 20_000, DIMENSION / 2, 0, 2));
    data = new ClusteredVectors(42, DIMENSION);
    chunks = data.chunks(0, SIZE);
    queries = java.util.stream.Stream.generate(data::next).limit(100).toList();
    work = Files.createTempDirectory("disk-recall-");
    compressed = KnowledgeBaseIndex.rebuild(1, chunks, work.resolve("compressed"), resources);
    compressed.snapshot(work.resolve("snapshot"));
    // the codes file goes, and with it its line in the manifest, which otherwise reports the snapshot incomplete
    String codes = "shard-0/vectors/base/" + DiskSegment.CODES;
    Files.delete(work.resolve("snapshot").resolve(codes));
    Path manifest = work.resolve("snapshot").resolve(KnowledgeBaseIndex.MANIFEST);
    JsonObject listed = new JsonObject(Files.readString(manifest));
    assertThat(listed.getJsonObject("files").remove(codes)).isNotNull();
    Files.writeString(manifest, listed.encode());
    uncompressed = KnowledgeBaseIndex.load(work.resolve("snapshot"), work.resolve("uncompressed"), resources);
  }

  @AfterAll
  void close() throws IOException {
    compressed.close();
    uncompressed.close();
    resources.close();
    pool.shutdownNow();
    VectorIndex.deleteTree(work);
  }

  /** The shard kinds under test. */
  enum Kind { COMPRESSED, UNCOMPRESSED }

  private KnowledgeBaseIndex index(Kind kind) {
    return kind == Kind.COMPRESSED ? compressed : uncompressed;
  }

  /** Mean recall@10 over the queries (the first 50 under a filter). */
  private double recall(KnowledgeBaseIndex index, Map<String, String> filters) {
    return recall(index, chunks, filters);
  }

  private double recall(KnowledgeBaseIndex searched, List<ChunkRecord> live, Map<String, String> filters) {
    return ClusteredVectors.meanRecall(searched, live, queries, filters, pool);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  @DisplayName("holds its vectors on disk, with less heap per vector than the float32 vector alone")
  void heldOnDisk(Kind kind) {
    VectorIndexStats stats = index(kind).vectorStats().getFirst();
    assertThat(stats.kind()).isEqualTo(kind == Kind.COMPRESSED ? VectorIndexStats.Kind.DISK_PQ
      : VectorIndexStats.Kind.DISK);
    assertThat(stats.onDisk()).isEqualTo(SIZE);
    assertThat(stats.diskBytes()).isGreaterThan((long) SIZE * DIMENSION * Float.BYTES);
    assertThat(stats.heapBytes() / (double) SIZE).isLessThan(DIMENSION * Float.BYTES);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  @DisplayName("reaches recall@10 >= 0.95 against exact search")
  void recall(Kind kind) {
    assertThat(recall(index(kind), Map.of())).isGreaterThanOrEqualTo(0.95);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  @DisplayName("keeps recall@10 >= 0.95 under filters matching 1% and 10% (scored exactly) and 50% (walked)")
  void filters(Kind kind) {
    KnowledgeBaseIndex index = index(kind);
    assertThat(recall(index, Map.of("percent", "p17"))).as("1%").isGreaterThanOrEqualTo(0.95);
    assertThat(recall(index, Map.of("tenth", "t4"))).as("10%").isGreaterThanOrEqualTo(0.95);
    assertThat(recall(index, Map.of("half", "h1"))).as("50%").isGreaterThanOrEqualTo(0.95);
  }

  @Test
  @DisplayName("merged with 5,000 new vectors and 1,000 deletes, keeps recall@10 >= 0.95 on the extended graph and codes")
  void mergeExtendsTheGraph() throws IOException {
    // a copy of the compressed shard (a snapshot of it, loaded again): the graph the merge extends, and the PQ
    // codebooks that encode the new vectors, are the ones measured above
    compressed.snapshot(work.resolve("snapshot-pq"));
    try (KnowledgeBaseIndex merged = KnowledgeBaseIndex.load(work.resolve("snapshot-pq"), work.resolve("merged"),
           resources)) {
      List<ChunkRecord> added = data.chunks(SIZE, 5_000);
      merged.append(added);
      merged.refresh();
      java.util.Set<String> gone = new java.util.HashSet<>();
      for (int i = 0; i < 1_000; i++) {
        ChunkRecord c = chunks.get(i * 50 + 7);
        merged.delete(c.documentId());
        gone.add(c.chunkId());
      }
      List<ChunkRecord> live = new java.util.ArrayList<>(chunks.stream().filter(c -> !gone.contains(c.chunkId()))
        .toList());
      live.addAll(added);
      merged.compact();
      VectorIndexStats stats = merged.vectorStats().getFirst();
      assertThat(stats.kind()).isEqualTo(VectorIndexStats.Kind.DISK_PQ);
      assertThat(stats.merges()).isEqualTo(1);
      assertThat(stats.onDisk()).isEqualTo(SIZE - 1_000 + 5_000);
      assertThat(stats.vectors()).isEqualTo(SIZE - 1_000 + 5_000);
      assertThat(stats.deleted()).isZero();
      assertThat(recall(merged, live, Map.of())).isGreaterThanOrEqualTo(0.95);
      // the inserted vectors are linked in: each finds itself
      for (int i = 0; i < 5_000; i += 250) {
        ChunkRecord c = added.get(i);
        assertThat(merged.search(SearchQuery.of(null, c.vector(), SearchMode.VECTOR, 1), new ReciprocalRankFusion(60),
            pool).join())
          .extracting(Hit::chunkId).containsExactly(c.chunkId());
      }
    }
  }
}
