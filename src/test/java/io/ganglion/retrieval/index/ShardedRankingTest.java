package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.search.Query;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ShardedRankingTest {

  private static final ExecutorService POOL = Executors.newFixedThreadPool(2);
  private static final List<String> QUERIES = List.of(
    "server timeout", "retry budget", "vector graph snapshot", "cluster node failover", "reflex guard leak",
    "keyword ranking score", "chunk", "latency throughput batch queue");
  private static KnowledgeBaseIndex single;
  private static KnowledgeBaseIndex sharded;

  @BeforeAll
  static void build() throws Exception {
    List<ChunkRecord> records = new Corpus(11, 5).chunks(150, 2);
    single = KnowledgeBaseIndex.rebuild(1, records);
    sharded = KnowledgeBaseIndex.rebuild(5, records);
  }

  @AfterAll
  static void close() throws Exception {
    single.close();
    sharded.close();
    POOL.shutdownNow();
  }

  @Test
  @DisplayName("Keyword search over five shards ranks and scores exactly as one unsharded index")
  void shardedEqualsSingle() {
    for (String q : QUERIES) {
      SearchQuery query = SearchQuery.of(q, null, SearchMode.KEYWORD, 20);
      List<Hit> expected = single.search(query, new ReciprocalRankFusion(60), POOL).join();
      List<Hit> actual = sharded.search(query, new ReciprocalRankFusion(60), POOL).join();

      assertThat(actual).as(q).extracting(Hit::chunkId).containsExactlyElementsOf(expected.stream().map(Hit::chunkId).toList());
      for (int i = 0; i < expected.size(); i++) {
        assertThat(actual.get(i).score()).as(q + " #" + i).isCloseTo(expected.get(i).score(), within(1e-5));
      }
    }
  }

  @Test
  @DisplayName("Without global statistics the shards' scores would differ, so the equality above is earned")
  void localStatisticsDiffer() throws Exception {
    List<ChunkRecord> records = new Corpus(11, 5).chunks(150, 2);
    try (KeywordIndex one = KeywordIndex.create(); KeywordIndex other = KeywordIndex.create()) {
      for (ChunkRecord r : records) {
        (ShardRouter.shardOf(r.documentId(), 2) == 0 ? one : other).add(r);
      }
      one.refresh();
      other.refresh();
      Query query = KeywordQuery.build(one.analyzer(), "snapshot", java.util.Map.of());
      CorpusStatistics global = one.statistics(query).plus(other.statistics(query));

      double local = one.search(query, null, 1).getFirst().score();
      double withGlobal = one.search(query, global, 1).getFirst().score();

      assertThat(withGlobal).isNotCloseTo(local, within(1e-4));
    }
  }

  @Test
  @DisplayName("Documents spread over every shard, each always to the same one")
  void routingIsStableAndSpread() {
    int[] counts = new int[5];
    for (int i = 0; i < 1000; i++) {
      counts[ShardRouter.shardOf("doc-" + i, 5)]++;
      assertThat(ShardRouter.shardOf("doc-" + i, 5)).isEqualTo(ShardRouter.shardOf("doc-" + i, 5));
    }
    assertThat(java.util.Arrays.stream(counts).boxed().toList()).allSatisfy(c -> assertThat(c).isBetween(150, 250));
    // pinned: a changed hash would silently move documents between shards and invalidate snapshots
    assertThat(ShardRouter.shardOf("doc-0", 1024)).isEqualTo(254);
    assertThat(ShardRouter.shardOf("kb/handbook.md", 1024)).isEqualTo(933);
  }
}
