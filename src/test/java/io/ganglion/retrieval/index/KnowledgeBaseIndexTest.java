package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class KnowledgeBaseIndexTest {

  private static final ExecutorService POOL = Executors.newFixedThreadPool(2);
  private static final Fusion RRF = new ReciprocalRankFusion(60);

  private final Corpus corpus = new Corpus(42, 4);
  private KnowledgeBaseIndex index;

  @BeforeEach
  void setUp() throws Exception {
    index = KnowledgeBaseIndex.create(3);
    for (ChunkRecord c : corpus.chunks(40, 3)) {
      index.append(List.of(c));
    }
    index.upsert("errors", List.of(
      Corpus.record("errors", "errors#0", "On ERR_TIMEOUT the client retries twice.", corpus.near(0), Map.of("topic", "t0")),
      Corpus.record("errors", "errors#1", "Code E-1234 means the quota is exhausted.", corpus.near(1), Map.of("topic", "t1"))));
    index.refresh();
  }

  @AfterEach
  void tearDown() throws Exception {
    index.close();
  }

  @AfterAll
  static void stopPool() {
    POOL.shutdownNow();
  }

  private List<Hit> search(SearchQuery query) {
    return index.search(query, RRF, POOL).join();
  }

  @Test
  @DisplayName("Keyword search matches identifiers as typed and English words by their stem")
  void keywordIdentifiersAndStems() {
    assertThat(search(SearchQuery.of("E-1234", null, SearchMode.KEYWORD, 3)).getFirst().chunkId()).isEqualTo("errors#1");
    assertThat(search(SearchQuery.of("err_timeout", null, SearchMode.KEYWORD, 3)).getFirst().chunkId()).isEqualTo("errors#0");
    assertThat(search(SearchQuery.of("exhausting quotas", null, SearchMode.KEYWORD, 3)).getFirst().chunkId())
      .isEqualTo("errors#1");
  }

  @Test
  @DisplayName("A keyword hit carries its document, citation text, offsets and only a keyword score")
  void keywordHitShape() {
    Hit hit = search(SearchQuery.of("E-1234", null, SearchMode.KEYWORD, 1)).getFirst();

    assertThat(hit.documentId()).isEqualTo("errors");
    assertThat(hit.title()).isEqualTo("Title of errors");
    assertThat(hit.text()).isEqualTo("Code E-1234 means the quota is exhausted.");
    assertThat(hit.end() - hit.start()).isEqualTo(hit.text().length());
    assertThat(hit.keywordScore()).isEqualTo(hit.score()).isPositive();
    assertThat(hit.vectorScore()).isNull();
    assertThat(hit.toJson().getJsonObject("scores").getValue("vector")).isNull();
  }

  @Test
  @DisplayName("Vector search ranks a chunk first for its own vector, with cosine 1")
  void vectorNearest() throws Exception {
    ChunkRecord probe = corpus.chunk("probe", "probe#0", 2, Map.of());
    index.upsert("probe", List.of(probe));

    List<Hit> hits = search(SearchQuery.of(null, probe.vector(), SearchMode.VECTOR, 5));

    assertThat(hits.getFirst().chunkId()).isEqualTo("probe#0");
    assertThat(hits.getFirst().vectorScore()).isCloseTo(1.0, within(1e-4));
    assertThat(hits.getFirst().keywordScore()).isNull();
    assertThat(hits).hasSize(5).extracting(Hit::score).isSortedAccordingTo((a, b) -> Double.compare(b, a));
  }

  @Test
  @DisplayName("Hybrid search fuses both rankings: a chunk first in both is first, with both raw scores")
  void hybrid() throws Exception {
    ChunkRecord probe = Corpus.record("probe", "probe#0", "zebra unique marker", corpus.near(3), Map.of());
    index.upsert("probe", List.of(probe));

    List<Hit> hits = search(SearchQuery.of("zebra marker", probe.vector(), SearchMode.HYBRID, 10));

    assertThat(hits.getFirst().chunkId()).isEqualTo("probe#0");
    assertThat(hits.getFirst().score()).isCloseTo(2.0 / 61, within(1e-12));
    assertThat(hits.getFirst().keywordScore()).isPositive();
    assertThat(hits.getFirst().vectorScore()).isCloseTo(1.0, within(1e-4));
    assertThat(hits).hasSize(10);
    assertThat(hits.subList(1, 10)).allSatisfy(h -> assertThat(h.keywordScore()).isNull());
  }

  @Test
  @DisplayName("Upserting a document replaces all of its chunks, in both indexes")
  void replaceById() throws Exception {
    int before = index.stats().chunks();
    index.upsert("errors", List.of(
      Corpus.record("errors", "errors#new", "Code E-9999 replaced the old table.", corpus.near(1), Map.of())));

    assertThat(search(SearchQuery.of("E-1234 quota", null, SearchMode.KEYWORD, 200)))
      .extracting(Hit::chunkId).doesNotContain("errors#0", "errors#1");
    assertThat(search(SearchQuery.of("E-9999", null, SearchMode.KEYWORD, 1)).getFirst().chunkId()).isEqualTo("errors#new");
    assertThat(search(SearchQuery.of(null, corpus.near(1), SearchMode.VECTOR, 200)))
      .extracting(Hit::chunkId).doesNotContain("errors#0", "errors#1").contains("errors#new");
    assertThat(index.stats().chunks()).isEqualTo(before - 1);
  }

  @Test
  @DisplayName("A deleted document is never returned by keyword, vector or hybrid search")
  void deleteHonoured() throws Exception {
    ChunkRecord probe = Corpus.record("probe", "probe#0", "zebra unique marker", corpus.near(3), Map.of());
    index.upsert("probe", List.of(probe));
    index.delete("probe");

    for (SearchMode mode : SearchMode.values()) {
      assertThat(search(SearchQuery.of("zebra marker", probe.vector(), mode, 50)))
        .as(mode.name()).noneMatch(h -> h.documentId().equals("probe"));
    }
    assertThat(index.stats().deletedVectors()).isEqualTo(1);
  }

  @Test
  @DisplayName("Filters apply inside candidate search: k matching hits come back even when none would make the unfiltered top k")
  void filtersInsideCandidateSearch() throws Exception {
    for (int i = 0; i < 5; i++) {
      index.upsert("rare-" + i, List.of(Corpus.record("rare-" + i, "rare-" + i + "#0",
        "server index passage", corpus.near(3), Map.of("team", "red"))));
    }
    float[] farFromRare = corpus.near(0);
    Map<String, String> red = Map.of("team", "red");

    List<Hit> unfiltered = search(new SearchQuery(null, farFromRare, SearchMode.VECTOR, 5, 5, Map.of()));
    assertThat(unfiltered).noneMatch(h -> h.documentId().startsWith("rare-"));

    for (SearchMode mode : SearchMode.values()) {
      List<Hit> hits = search(new SearchQuery("cluster node failover", farFromRare, mode, 5, 5, red));
      if (mode != SearchMode.KEYWORD) {
        assertThat(hits).as(mode.name()).hasSize(5);
      }
      assertThat(hits).as(mode.name()).allMatch(h -> h.documentId().startsWith("rare-"));
    }
    assertThat(search(new SearchQuery("server", null, SearchMode.KEYWORD, 5, 5, red))).hasSize(5)
      .allMatch(h -> h.documentId().startsWith("rare-"));
  }

  @Test
  @DisplayName("A vector of another dimension is refused before anything is written")
  void dimensionChecked() throws Exception {
    int before = index.stats().chunks();
    ChunkRecord good = Corpus.record("mixed", "mixed#0", "fine", corpus.near(0), Map.of());
    ChunkRecord bad = Corpus.record("mixed", "mixed#1", "wrong", new float[] {1, 2, 3}, Map.of());

    assertThatThrownBy(() -> index.upsert("mixed", List.of(good, bad))).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("3-dimension");
    assertThat(index.stats().chunks()).isEqualTo(before);
    assertThat(index.search(SearchQuery.of(null, new float[] {1, 2}, SearchMode.VECTOR, 1), RRF, POOL))
      .failsWithin(java.time.Duration.ofSeconds(5));
  }

  @Test
  @DisplayName("Compaction drops deleted vectors and keeps every live chunk findable")
  void compaction() throws Exception {
    for (int d = 0; d < 20; d++) {
      index.delete("doc-" + d);
    }
    assertThat(index.stats().deletedVectors()).isEqualTo(60);

    index.compact();

    assertThat(index.stats().deletedVectors()).isZero();
    assertThat(index.stats().chunks()).isEqualTo(20 * 3 + 2);
    List<Hit> all = search(SearchQuery.of(null, corpus.near(0), SearchMode.VECTOR, 100));
    assertThat(all).hasSize(62).noneMatch(h -> h.documentId().matches("doc-(1?[0-9])"));
  }

  @Test
  @DisplayName("A parsed and chunked document is indexed under <documentId>#<index> and cited by its own offsets")
  void fromChunker() throws Exception {
    String md = "# Runbook\n\n## Timeouts\n\nWhen ERR_GATEWAY appears, restart the edge proxy.\n";
    var doc = io.ganglion.retrieval.ingest.DocumentFormat.MARKDOWN.parser().parse(md);
    var chunks = new io.ganglion.retrieval.ingest.Chunker(new io.ganglion.retrieval.ingest.ApproximateTokenCounter(), 64, 8)
      .chunk(doc);
    index.upsert("runbook", chunks.stream()
      .map(c -> ChunkRecord.of("runbook", doc.title(), c, Map.of(), corpus.near(0))).toList());

    Hit hit = search(SearchQuery.of("runbook timeouts", null, SearchMode.KEYWORD, 1)).getFirst();

    assertThat(hit.chunkId()).isEqualTo("runbook#0");
    assertThat(hit.text()).isEqualTo("When ERR_GATEWAY appears, restart the edge proxy.");
    assertThat(doc.text().substring(hit.start(), hit.end())).isEqualTo(hit.text());
  }
}
