package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
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

@DisplayName("VectorIndex segments and their JVector searchers")
class VectorIndexTest {

  private static final ExecutorService POOL = Executors.newFixedThreadPool(3);

  @AfterAll
  static void stopPool() {
    POOL.shutdownNow();
  }

  /** A shard large enough to be searched through the graph (not scored exactly), searched from every pool thread. */
  private static Shard searchedShard(Corpus corpus) throws Exception {
    Shard shard = Shard.create(Files.createTempDirectory("vector-index-"), IndexResources.defaults());
    shard.append(corpus.chunks(VectorGraph.EXACT_BELOW / 2 + 50, 2));
    assertThat(search(shard, corpus)).allMatch(hits -> hits.size() == 5);
    return shard;
  }

  private static List<List<ScoredChunk>> search(Shard shard, Corpus corpus) throws Exception {
    List<Future<List<ScoredChunk>>> searches = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      float[] query = corpus.near(i % 4);
      searches.add(POOL.submit(() -> shard.vectors().search(query, 5, 5, Map.of())));
    }
    List<List<ScoredChunk>> results = new ArrayList<>();
    for (Future<List<ScoredChunk>> search : searches) {
      results.add(search.get(30, TimeUnit.SECONDS));
    }
    return results;
  }

  private static VectorGraph live(Shard shard) {
    return shard.vectors().segments().live();
  }

  @Test
  @DisplayName("compaction closes the replaced in-heap segment; searches go on, on the new one and on the closed one")
  void compactionClosesTheOldSegment() throws Exception {
    Corpus corpus = new Corpus(7, 4);
    Shard shard = searchedShard(corpus);
    VectorGraph old = live(shard);
    shard.replace("doc-0", List.of());
    for (int d = 1; d < 100; d++) {
      shard.replace("doc-" + d, List.of());
    }
    shard.compact();
    assertThat(old.closed()).isTrue();
    assertThat(live(shard)).isNotSameAs(old);
    assertThat(live(shard).closed()).isFalse();
    assertThat(search(shard, corpus)).allMatch(hits -> hits.size() == 5)
      .allMatch(hits -> hits.stream().noneMatch(h -> h.chunkId().matches("doc-\\d{1,2}#\\d")));
    // a search that was still walking the old segment when it closed finishes normally
    assertThat(old.search(VectorIndex.unit(corpus.near(0)), 5, 5, Map.of())).hasSize(5);
    VectorGraph current = live(shard);
    shard.close();
    assertThat(current.closed()).isTrue();
  }

  @Test
  @DisplayName("a segment retired while a search holds it closes only when that search releases it")
  void retiredWhileHeld() throws Exception {
    Corpus corpus = new Corpus(11, 4);
    Shard shard = searchedShard(corpus);
    VectorGraph current = live(shard);
    assertThat(current.acquire()).isTrue();
    shard.close();
    assertThat(current.closed()).isFalse();
    assertThat(current.search(VectorIndex.unit(corpus.near(1)), 5, 5, Map.of())).hasSize(5);
    current.release();
    assertThat(current.closed()).isTrue();
    assertThat(current.acquire()).isFalse();
  }
}
