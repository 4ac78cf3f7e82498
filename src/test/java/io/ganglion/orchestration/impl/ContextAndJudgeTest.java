package io.ganglion.orchestration.impl;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ContextAndJudgeTest {

  static Passage passage(String chunk, String text) {
    return new Passage("d", chunk, "t", text, 0, text.length(), 1);
  }

  @Test
  @DisplayName("the context drops repeated chunks and texts, keeps rank order and stays within the token budget")
  void context() {
    List<Passage> ranked = List.of(passage("a", "Alpha text here"), passage("a", "Alpha text here"),
      passage("b", "alpha   TEXT here"), passage("c", "x".repeat(400)), passage("d", "Delta text"));

    List<Passage> context = ContextBuilder.build(ranked, 20);

    assertThat(context).extracting(Passage::chunkId).containsExactly("a", "d");
  }

  @Test
  @DisplayName("groundedness counts sentences whose content words the cited passage holds")
  void judge() {
    List<String> cited = Arrays.asList("Employees receive 25 days of paid vacation per year.", null);
    Groundedness.Verdict verdict = Groundedness.judge(
      "Employees receive 25 vacation days [1]. Managers get a company car [1]. Nothing cited here at all.", cited);

    assertThat(verdict.sentences()).isEqualTo(3);
    assertThat(verdict.supported()).isEqualTo(1);
    assertThat(verdict.score()).isEqualTo(1.0 / 3);
    assertThat(Groundedness.judge("", cited).score()).isNull();
  }

  @Test
  @DisplayName("MMR prefers a novel relevant sentence over a near-duplicate of one already chosen")
  void mmr() {
    float[][] vectors = {{1, 0, 0}, {0.999f, 0.045f, 0}, {0.8f, 0, 0.6f}};
    double[] relevance = {0.9, 0.89, 0.7};

    assertThat(Mmr.select(relevance, vectors, 2, 0.7, 0.5)).containsExactly(0, 2);
    assertThat(Mmr.select(relevance, vectors, 3, 0.7, 0.8)).containsExactly(0);
  }

  @Test
  @DisplayName("a passage wrapped as untrusted keeps its keyword and vector scores, so abstention weighs it as before")
  void wrappedKeepsScores() {
    Passage p = new Passage("d", "d#0", "t", "Bins must be at the kerb by 6:30.", 0, 33, 0.9, 4.2, 0.81);
    Passage wrapped = p.withText(io.ganglion.reflex.IndirectInjectionPolicy.wrap(p.text()));

    assertThat(wrapped.text()).contains(p.text()).isNotEqualTo(p.text());
    assertThat(wrapped.keywordScore()).isEqualTo(4.2);
    assertThat(wrapped.vectorScore()).isEqualTo(0.81);
    assertThat(AnswerSignals.of(List.of(wrapped), new double[] {0.7}))
      .isEqualTo(AnswerSignals.of(List.of(p), new double[] {0.7}));
  }
}
