package io.ganglion.inference.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runs the real bge graph as a pair model: its first-token state stands in for a classifier head's logits. */
@DisplayName("PairScorer on a real ONNX graph")
class PairScorerTest {

  private static ModelRegistry registry;
  private static PairScorer scorer;

  @BeforeAll
  static void load() {
    ModelSpec bge = KnownModels.named(KnownModels.BGE_SMALL_EN_V15).orElseThrow();
    ModelSpec asScorer = new ModelSpec("bge-pair", ModelKind.RERANKER, bge.source(), Pooling.CLS, 0, 512, "", "");
    ModelSpec second = new ModelSpec("bge-pair", ModelKind.RERANKER, bge.source(), Pooling.CLS, 0, 512, "", "", "2", 3);
    registry = ModelRegistry.load(List.of(bge, asScorer, second), bge.name(), new EngineLoader(Device.CPU, 2));
    scorer = registry.scorer("bge-pair@1", 0);
  }

  @AfterAll
  static void close() {
    registry.close();
  }

  @Test
  @DisplayName("scores each pair from the graph's output, the same batched as alone")
  void scoresPairs() throws Exception {
    List<String> passages = List.of("Paris is the capital of France.", "Bananas are rich in potassium and fibre.",
      "The Eiffel Tower stands in Paris, the French capital, on the left bank of the Seine.");

    List<PairScorer.Score> batched = scorer.score("What is the capital of France?", passages);

    assertThat(batched).hasSize(3);
    for (int i = 0; i < passages.size(); i++) {
      PairScorer.Score alone = scorer.score("What is the capital of France?", List.of(passages.get(i))).get(0);
      assertThat(batched.get(i).logits()).hasSize(384);
      assertThat(batched.get(i).score()).isBetween(0f, 1f);
      assertThat(batched.get(i).score()).isCloseTo(alone.score(), org.assertj.core.data.Offset.offset(1e-3f));
    }
    assertThat(batched.get(0).logits()).isNotEqualTo(batched.get(1).logits());
  }

  @Test
  @DisplayName("encodes a pair as two segments with type ids 0 then 1")
  void encodesSegments() {
    var encoding = scorer.encode(new PairScorer.Pair("first text", "second text here"));

    long[] types = encoding.getTypeIds();
    assertThat(types[0]).isZero();
    assertThat(types[types.length - 1]).isEqualTo(1);
  }

  @Test
  @DisplayName("a scorer's bare name splits traffic among its loaded versions by weight (1 : 3); a version is exact")
  void abSplit() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(14);
    int second = 0;
    for (int i = 0; i < 4000; i++) {
      if (registry.scorer("bge-pair", random.nextDouble()).spec().version().equals("2")) {
        second++;
      }
    }
    assertThat(second / 4000.0).isCloseTo(0.75, org.assertj.core.data.Offset.offset(0.03));
    assertThat(registry.scorer("bge-pair@2", 0).spec().version()).isEqualTo("2");
    assertThat(registry.scorer("bge-pair@1", 0.99).spec().version()).isEqualTo("1");
  }

  @Test
  @DisplayName("refuses to hand out an embedding model as a scorer")
  void wrongKind() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> registry.scorer(KnownModels.BGE_SMALL_EN_V15, 0))
      .isInstanceOf(UnknownModelException.class).hasMessageContaining("embedding");
  }
}
