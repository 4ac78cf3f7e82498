package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("VectorIndex generations and their JVector searchers")
class VectorIndexTest {

  private static final ExecutorService POOL = Executors.newFixedThreadPool(3);

  @AfterAll
  static void stopPool() {
    POOL.shutdownNow();
  }

  /** An index large enough to be searched through the graph (not scored exactly), searched from every pool thread. */
  private static VectorIndex searchedIndex(Corpus corpus) throws Exception {
    VectorIndex index = new VectorIndex();
    for (ChunkRecord chunk : corpus.chunks(VectorGraph.EXACT_BELOW / 2 + 50, 2)) {
      index.add(chunk);
    }
    assertThat(search(index, corpus)).allMatch(hits -> hits.size() == 5);
    return index;
  }

  private static List<List<ScoredChunk>> search(VectorIndex index, Corpus corpus) throws Exception {
    List<Future<List<ScoredChunk>>> searches = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      float[] query = corpus.near(i % 4);
      searches.add(POOL.submit(() -> index.search(query, 5, Map.of())));
    }
    List<List<ScoredChunk>> results = new ArrayList<>();
    for (Future<List<ScoredChunk>> search : searches) {
      results.add(search.get(30, TimeUnit.SECONDS));
    }
    return results;
  }

  @Test
  @DisplayName("compaction closes the replaced generation; searches go on, on the new one and on the closed one")
  void compactionClosesTheOldGeneration() throws Exception {
    Corpus corpus = new Corpus(7, 4);
    VectorIndex index = searchedIndex(corpus);
    VectorGraph old = index.generation();
    for (int d = 0; d < 100; d++) {
      index.deleteDocument("doc-" + d);
    }
    index.compact();
    assertThat(old.closed()).isTrue();
    assertThat(index.generation()).isNotSameAs(old);
    assertThat(index.generation().closed()).isFalse();
    assertThat(search(index, corpus)).allMatch(hits -> hits.size() == 5)
      .allMatch(hits -> hits.stream().noneMatch(h -> h.chunkId().matches("doc-\\d{1,2}#\\d")));
    // a search that was still walking the old generation when it closed finishes normally
    assertThat(old.search(VectorIndex.unit(corpus.near(0)), 5, Map.of())).hasSize(5);
    index.close();
    assertThat(index.generation().closed()).isTrue();
  }

  @Test
  @DisplayName("closing the index, as its shard does when its knowledge base is dropped or the node stops, closes the current generation")
  void closingClosesTheCurrentGeneration() throws Exception {
    VectorIndex index = searchedIndex(new Corpus(11, 4));
    VectorGraph current = index.generation();
    index.close();
    assertThat(current.closed()).isTrue();
  }
}
