package io.ganglion.inference.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TextEmbedder on bge-small-en-v1.5")
class TextEmbedderTest {

  private static ModelRegistry registry;
  private static TextEmbedder bge;

  @BeforeAll
  static void load() {
    ModelSpec spec = KnownModels.named(KnownModels.BGE_SMALL_EN_V15).orElseThrow();
    registry = ModelRegistry.load(List.of(spec), spec.name(), new EngineLoader(Device.CPU, 2));
    bge = registry.embedder(null);
  }

  @AfterAll
  static void close() {
    registry.close();
  }

  @Test
  @DisplayName("places paraphrases closer together than unrelated sentences")
  void paraphrasesAreCloser() throws Exception {
    List<Embedding> e = bge.embed(List.of("A man is eating food.", "A man is eating a piece of bread.",
      "The girl is carrying a baby.", "A stock market crash wiped out pension savings."), TextKind.PASSAGE);

    double paraphrase = Similarity.cosine(e.get(0).vector(), e.get(1).vector());
    double unrelated = Math.max(Similarity.cosine(e.get(0).vector(), e.get(2).vector()),
      Similarity.cosine(e.get(0).vector(), e.get(3).vector()));
    assertThat(paraphrase).isGreaterThan(unrelated + 0.15);
  }

  @Test
  @DisplayName("returns unit-length vectors of 384 dimensions with their token counts")
  void unitVectors() throws Exception {
    Embedding e = bge.embed(List.of("Vert.x is a toolkit for reactive applications."), TextKind.PASSAGE).get(0);

    double norm = Math.sqrt(Similarity.cosine(e.vector(), e.vector()));
    assertThat(e.vector()).hasSize(384);
    assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(e.tokens()).isBetween(8, 20);
    assertThat(e.truncated()).isFalse();
  }

  @Test
  @DisplayName("gives the same vectors batched with padding as one at a time")
  void batchedEqualsUnbatched() throws Exception {
    Random random = new Random(42);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      texts.add(sentence(random, 3 + random.nextInt(60)));
    }

    List<Embedding> batched = bge.embed(texts, TextKind.PASSAGE);
    for (int i = 0; i < texts.size(); i++) {
      Embedding alone = bge.embed(List.of(texts.get(i)), TextKind.PASSAGE).get(0);
      assertThat(Similarity.cosine(batched.get(i).vector(), alone.vector())).as("text %d", i).isGreaterThan(0.99);
      assertThat(batched.get(i).tokens()).isEqualTo(alone.tokens());
    }
  }

  @Test
  @DisplayName("reports inputs longer than 512 tokens as truncated and others as whole")
  void reportsTruncation() throws Exception {
    String longText = sentence(new Random(7), 700);

    List<Embedding> e = bge.embed(List.of(longText, "short"), TextKind.PASSAGE);

    assertThat(e.get(0).truncated()).isTrue();
    assertThat(e.get(0).tokens()).isEqualTo(512);
    assertThat(e.get(1).truncated()).isFalse();
  }

  @Test
  @DisplayName("embeds a query with bge's search instruction, so it differs from the bare text")
  void queryPrefix() throws Exception {
    String text = "how do micro-batches cut latency";
    Embedding query = bge.embed(List.of(text), TextKind.QUERY).get(0);
    Embedding passage = bge.embed(List.of(text), TextKind.PASSAGE).get(0);

    assertThat(query.tokens()).isGreaterThan(passage.tokens() + 5);
    assertThat(Similarity.cosine(query.vector(), passage.vector())).isLessThan(0.999).isGreaterThan(0.5);
  }

  static String sentence(Random random, int words) {
    String[] vocabulary = {"server", "vector", "query", "the", "batch", "model", "token", "reactive", "cluster", "a",
      "request", "latency", "of", "and", "embedding", "shard", "index", "passage", "is", "fast"};
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      sb.append(i == 0 ? "" : " ").append(vocabulary[random.nextInt(vocabulary.length)]);
    }
    return sb.append('.').toString();
  }
}
