package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A shard held as an on-disk graph with PQ codes")
class DiskShardLifecycleTest {

  private static final int DIMENSION = 48;
  private static final ExecutorService POOL = Executors.newFixedThreadPool(2);
  private static final Fusion RRF = new ReciprocalRankFusion(60);
  private static IndexResources resources;

  @TempDir
  Path tmp;

  @BeforeAll
  static void resources() {
    // disk from 1,024 vectors, background merge after 500 new ones: the lifecycle of a large shard at a small size
    resources = IndexResources.create(new VectorIndexConfig(1024, 500, 0, 0, 2));
  }

  @AfterAll
  static void stop() {
    POOL.shutdownNow();
    resources.close();
  }

  private static List<String> ids(KnowledgeBaseIndex index, float[] query, int k) {
    return index.search(SearchQuery.of(null, query, SearchMode.VECTOR, k), RRF, POOL).join().stream()
      .map(Hit::chunkId).toList();
  }

  private static void awaitMerges(KnowledgeBaseIndex index, long merges) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (index.vectorStats().getFirst().merges() < merges && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(index.vectorStats().getFirst().merges()).as("merges").isGreaterThanOrEqualTo(merges);
  }

  @Test
  @DisplayName("inserts are searchable at once, deletes are honoured before and after the merge that drops them, "
    + "and a snapshot reloads the disk segment with its deletions")
  void insertDeleteMergeSnapshotReload() throws Exception {
    ClusteredVectors data = new ClusteredVectors(7, DIMENSION);
    List<ChunkRecord> all = new ArrayList<>(data.chunks(0, 1500));
    try (KnowledgeBaseIndex index = KnowledgeBaseIndex.rebuild(1, all, tmp.resolve("work-1"), resources)) {
      VectorIndexStats rebuilt = index.vectorStats().getFirst();
      assertThat(rebuilt.kind()).isEqualTo(VectorIndexStats.Kind.DISK);
      assertThat(rebuilt.onDisk()).isEqualTo(1500);
      assertThat(rebuilt.diskBytes()).isGreaterThan(1500L * DIMENSION * Float.BYTES);

      // an insert lands in the in-heap segment and is found by its own vector at once
      ChunkRecord fresh = ClusteredVectors.chunk(5000, data.next());
      index.upsert(fresh.documentId(), List.of(fresh));
      all.add(fresh);
      assertThat(ids(index, fresh.vector(), 1)).containsExactly(fresh.chunkId());

      // a delete of a chunk in the disk segment hides it at once
      ChunkRecord gone = all.get(42);
      index.delete(gone.documentId());
      all.remove(gone);
      assertThat(ids(index, gone.vector(), 10)).doesNotContain(gone.chunkId());
      // replacing a document held on disk: its new vector is found, the old one is not
      ChunkRecord moved = ClusteredVectors.chunk(7, data.next());
      index.upsert(moved.documentId(), List.of(moved));
      all.set(7, moved);
      assertThat(ids(index, moved.vector(), 1)).containsExactly(moved.chunkId());
      assertThat(index.vectorStats().getFirst().deleted()).isEqualTo(2);

      // 600 more inserts pass mergeAbove: the background merge folds them into a new disk segment
      List<ChunkRecord> more = data.chunks(6000, 600);
      for (ChunkRecord c : more) {
        index.upsert(c.documentId(), List.of(c));
      }
      all.addAll(more);
      awaitMerges(index, 1);
      VectorIndexStats merged = index.vectorStats().getFirst();
      assertThat(merged.vectors()).isEqualTo(all.size());
      assertThat(merged.onDisk()).isGreaterThanOrEqualTo(1500 - 1 + 1 + 1);
      assertThat(merged.deleted()).isZero();
      assertThat(merged.lastMergeMillis()).isNotNegative();
      assertThat(ids(index, gone.vector(), 10)).doesNotContain(gone.chunkId());
      assertThat(ids(index, moved.vector(), 1)).containsExactly(moved.chunkId());
      for (ChunkRecord c : List.of(fresh, more.getFirst(), more.getLast(), all.get(1000))) {
        assertThat(ids(index, c.vector(), 1)).containsExactly(c.chunkId());
      }

      // delete after the merge, then snapshot and reload into a new working directory
      ChunkRecord late = all.get(2000);
      index.delete(late.documentId());
      all.remove(late);
      index.snapshot(tmp.resolve("snapshot"));
      List<List<String>> before = new ArrayList<>();
      for (int q = 0; q < 20; q++) {
        before.add(ids(index, all.get(q * 97).vector(), 10));
      }
      try (KnowledgeBaseIndex loaded = KnowledgeBaseIndex.load(tmp.resolve("snapshot"), tmp.resolve("work-2"),
             resources)) {
        VectorIndexStats stats = loaded.vectorStats().getFirst();
        assertThat(stats.kind()).isEqualTo(VectorIndexStats.Kind.DISK);
        assertThat(stats.vectors()).isEqualTo(all.size());
        assertThat(stats.deleted()).isEqualTo(1);
        assertThat(ids(loaded, late.vector(), 10)).doesNotContain(late.chunkId());
        for (int q = 0; q < 20; q++) {
          assertThat(ids(loaded, all.get(q * 97).vector(), 10)).isEqualTo(before.get(q));
        }
        // compaction drops the deleted vector from the loaded disk segment
        loaded.compact();
        assertThat(loaded.vectorStats().getFirst().deleted()).isZero();
        assertThat(loaded.vectorStats().getFirst().vectors()).isEqualTo(all.size());
        assertThat(ids(loaded, all.get(5).vector(), 1)).containsExactly(all.get(5).chunkId());
      }
    }
  }

  @Test
  @DisplayName("a filter matching few vectors still returns the exact best of them")
  void selectiveFilter() throws Exception {
    ClusteredVectors data = new ClusteredVectors(11, DIMENSION);
    List<ChunkRecord> all = data.chunks(0, 2000);
    try (KnowledgeBaseIndex index = KnowledgeBaseIndex.rebuild(1, all, tmp.resolve("work"), resources)) {
      float[] query = data.next();
      Map<String, String> filter = Map.of("tenth", "t3");
      List<String> expected = ClusteredVectors.exact(all, query, 10, filter);
      List<String> found = index.search(new SearchQuery(null, query, SearchMode.VECTOR, 10, 100, filter), RRF, POOL)
        .join().stream().map(Hit::chunkId).toList();
      assertThat(found).isEqualTo(expected);
    }
  }
}
