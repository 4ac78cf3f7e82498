package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Search tuning: heading field, exact-field weight, BM25 parameters, per-ranking depth, document ranking")
class SearchTuningTest {

  private static final ExecutorService POOL = Executors.newFixedThreadPool(2);
  private static final Fusion EVEN = new WeightedScoreFusion(0.5);

  @AfterAll
  static void stopPool() {
    POOL.shutdownNow();
  }

  private static float[] axis(int i) {
    float[] v = new float[4];
    v[i] = 1;
    return v;
  }

  private static float[] mix(double a, double b) {
    return new float[] {(float) a, (float) b, 0, 0};
  }

  private static ChunkRecord chunk(String doc, int n, String title, String text, float[] vector) {
    String indexed = title == null ? text : title + "\n" + text;
    return new ChunkRecord(doc, doc + "#" + n, title, text, indexed, 0, text.length(), Map.of(), vector);
  }

  private static KnowledgeBaseIndex index(List<ChunkRecord> chunks) throws Exception {
    KnowledgeBaseIndex index = KnowledgeBaseIndex.create(2);
    index.append(chunks);
    index.refresh();
    return index;
  }

  private static SearchQuery keyword(String text, KeywordScoring scoring) {
    return new SearchQuery(text, null, SearchMode.KEYWORD, 5, 100, 100, Map.of(), false, scoring);
  }

  @Test
  @DisplayName("a heading weight ranks the document whose title holds the term above one that only mentions it")
  void headingWeight() throws Exception {
    try (KnowledgeBaseIndex index = index(List.of(
      chunk("titled", 0, "Glacier retreat", "Measurements over forty years of ice loss in the Alps and Andes.", axis(0)),
      chunk("mention", 0, "Alpine tourism", "Visitors come for the glacier, the lakes and the mountain huts.", axis(1))))) {
      List<Hit> plain = index.search(keyword("glacier", KeywordScoring.DEFAULT), EVEN, POOL).join();
      List<Hit> weighted = index.search(keyword("glacier", new KeywordScoring(1.2, 0.75, 2, 1)), EVEN, POOL).join();

      assertThat(weighted.getFirst().documentId()).isEqualTo("titled");
      double gap = weighted.get(0).score() - weighted.get(1).score();
      double plainGap = plain.stream().filter(h -> h.documentId().equals("titled")).findFirst().orElseThrow().score()
        - plain.stream().filter(h -> h.documentId().equals("mention")).findFirst().orElseThrow().score();
      assertThat(gap).isGreaterThan(plainGap);
    }
  }

  @Test
  @DisplayName("with the exact field weighed 0 identifiers no longer match whole, with 1 they do; BM25 k1 and b change scores")
  void exactWeightAndBm25() throws Exception {
    try (KnowledgeBaseIndex index = index(List.of(
      chunk("quota", 0, null, "Code E-1234 means the quota is exhausted.", axis(0)),
      chunk("other", 0, null, "Error 1234 of the old e series was retired long ago, e and 1234.", axis(1))))) {
      List<Hit> exact = index.search(keyword("E-1234", KeywordScoring.DEFAULT), EVEN, POOL).join();
      List<Hit> stems = index.search(keyword("E-1234", new KeywordScoring(1.2, 0.75, 0, 0)), EVEN, POOL).join();
      List<Hit> flat = index.search(keyword("E-1234", new KeywordScoring(0.9, 0.4, 0, 1)), EVEN, POOL).join();

      assertThat(exact.getFirst().documentId()).isEqualTo("quota");
      assertThat(stems.getFirst().documentId()).isEqualTo("other");
      assertThat(flat.getFirst().documentId()).isEqualTo("quota");
      assertThat(flat.getFirst().score()).isNotEqualTo(exact.getFirst().score());
    }
  }

  @Test
  @DisplayName("each ranking contributes its own candidate depth")
  void depthPerRanking() throws Exception {
    // keyword relevance falls with i (fewer repeats of the term), vector relevance rises with i
    List<ChunkRecord> chunks = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      chunks.add(chunk("d" + i, 0, null, "shared ".repeat(20 - i) + "filler words " + i, mix(1 - i / 20.0, i / 20.0)));
    }
    try (KnowledgeBaseIndex index = index(chunks)) {
      List<Hit> shallow = index.search(new SearchQuery("shared", axis(1), SearchMode.HYBRID, 3, 3, 12, Map.of(), false,
        KeywordScoring.DEFAULT), EVEN, POOL).join();
      List<Hit> deep = index.search(new SearchQuery("shared", axis(1), SearchMode.HYBRID, 20, 20, 20, Map.of(), false,
        KeywordScoring.DEFAULT), EVEN, POOL).join();

      assertThat(shallow.stream().filter(h -> h.keywordScore() != null).map(Hit::documentId))
        .allMatch(d -> List.of("d0", "d1", "d2").contains(d));
      Hit best = shallow.stream().filter(h -> h.documentId().equals("d19")).findFirst()
        .orElseThrow(() -> new AssertionError("d19 missing from " + shallow));
      assertThat(best.keywordScore()).as("d19 is 20th by keyword, below a depth of 3").isNull();
      assertThat(deep.stream().filter(h -> h.documentId().equals("d19")).findFirst().orElseThrow().keywordScore())
        .isNotNull();
    }
  }

  @Test
  @DisplayName("ranking by document credits a document whose chunks win different rankings, and groups its chunks")
  void documentRanking() throws Exception {
    // "split": its chunk 0 is the best keyword match, its chunk 1 the best vector match; "single" is second in both
    try (KnowledgeBaseIndex index = index(List.of(
      chunk("split", 0, null, "aurora aurora aurora borealis", axis(2)),
      chunk("split", 1, null, "unrelated words entirely here", axis(0)),
      chunk("single", 0, null, "aurora borealis in the north tonight", mix(0.9, 0.43)),
      chunk("filler", 0, null, "nothing of the kind at all", axis(3))))) {
      SearchQuery byChunk = new SearchQuery("aurora", axis(0), SearchMode.HYBRID, 10, 10, 10, Map.of(), false,
        KeywordScoring.DEFAULT);
      SearchQuery byDocument = new SearchQuery("aurora", axis(0), SearchMode.HYBRID, 10, 10, 10, Map.of(), true,
        KeywordScoring.DEFAULT);

      List<Hit> chunks = index.search(byChunk, EVEN, POOL).join();
      List<Hit> documents = index.search(byDocument, EVEN, POOL).join();

      // chunk by chunk, each of split's chunks gets one ranking's half of the credit
      assertThat(chunks.stream().filter(h -> h.documentId().equals("split")).mapToDouble(Hit::score).max().orElseThrow())
        .isLessThanOrEqualTo(0.5);
      assertThat(documents.stream().map(Hit::chunkId).toList()).startsWith("split#0", "split#1", "single#0");
      assertThat(documents.get(0).score()).isEqualTo(documents.get(1).score()).isEqualTo(1.0)
        .isGreaterThan(documents.get(2).score());
    }
  }

  @DisplayName("a snapshot of format 2, 3 or 4 (without the heading field or the vector segments) fails to load, the cue "
    + "to rebuild from PostgreSQL")
  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4})
  void olderSnapshotRebuilds(int older, @TempDir Path dir) throws Exception {
    Path snapshot = dir.resolve("index");
    try (KnowledgeBaseIndex index = index(List.of(chunk("a", 0, "Title", "Some text here.", axis(0))))) {
      index.snapshot(snapshot);
    }
    Path manifest = snapshot.resolve(KnowledgeBaseIndex.MANIFEST);
    JsonObject json = new JsonObject(Files.readString(manifest, StandardCharsets.UTF_8));
    assertThat(json.getInteger("format")).isEqualTo(KnowledgeBaseIndex.FORMAT).isEqualTo(5);
    Files.writeString(manifest, json.put("format", older).encode(), StandardCharsets.UTF_8);

    assertThatThrownBy(() -> KnowledgeBaseIndex.load(snapshot)).isInstanceOf(java.io.IOException.class)
      .hasMessageContaining("format");
  }
}
