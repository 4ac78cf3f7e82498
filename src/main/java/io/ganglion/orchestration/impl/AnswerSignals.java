package io.ganglion.orchestration.impl;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * What the extractive generator decides to answer or abstain on ({@link AbstentionModel}): evidence from the
 * sentences it would quote and from the retrieval that found their passages. No single one separates answerable
 * questions from off-topic ones: a paraphrase shares no words with its passage (so keyword evidence is nil) and may
 * sit at a modest cosine, while an off-topic question can reach a similar cosine on some generic sentence.
 *
 * @param sentence  the best question/sentence cosine
 * @param contrast  how far the best sentence stands out: its cosine minus the median cosine of all candidates
 * @param passage   the best vector score (question/chunk cosine, computed by retrieval) of the first
 *                  {@value #TOP} passages; NaN when retrieval returned no vector scores (keyword mode)
 * @param passageContrast how far the best passage stands out in the vector ranking: the best vector score of the
 *                  context minus the median of its vector scores; NaN without vector scores
 * @param agreement keyword and vector rankings agreeing on the top: the share of the {@value #TOP} best passages by
 *                  vector score that are also among the {@value #TOP} best by keyword score; NaN unless both
 *                  rankings scored the passages (hybrid mode)
 */
record AnswerSignals(double sentence, double contrast, double passage, double passageContrast, double agreement) {

  /** The order of {@link #values()}, as named in a fitted model. */
  static final List<String> NAMES = List.of("sentence", "contrast", "passage", "passageContrast", "agreement");

  /** Passages at the top of the ranking that the retrieval signals look at. */
  static final int TOP = 3;

  /**
   * @param passages   the context, best first
   * @param candidates the candidate sentences of those passages
   * @param relevance  each candidate's cosine with the question
   */
  static AnswerSignals of(List<Passage> passages, List<Sentence> candidates, double[] relevance) {
    int best = 0;
    for (int i = 1; i < relevance.length; i++) {
      if (relevance[i] > relevance[best]) {
        best = i;
      }
    }
    double[] vectorScores = passages.stream().map(Passage::vectorScore).filter(v -> v != null)
      .mapToDouble(Double::doubleValue).toArray();
    double passageContrast = vectorScores.length == 0 ? Double.NaN
      : Arrays.stream(vectorScores).max().orElseThrow() - median(vectorScores);
    return new AnswerSignals(relevance[best], relevance[best] - median(relevance), passage(passages), passageContrast,
      agreement(passages));
  }

  double[] values() {
    return new double[] {sentence, contrast, passage, passageContrast, agreement};
  }

  /** {@code {"sentence","contrast","passage","passageContrast","agreement"}}, a missing signal as {@code null}. */
  JsonObject toJson() {
    JsonObject json = new JsonObject();
    double[] v = values();
    for (int i = 0; i < v.length; i++) {
      json.put(NAMES.get(i), Double.isNaN(v[i]) ? null : Math.round(v[i] * 10_000) / 10_000.0);
    }
    return json;
  }

  private static double passage(List<Passage> passages) {
    double best = Double.NaN;
    for (Passage p : passages.subList(0, Math.min(TOP, passages.size()))) {
      if (p.vectorScore() != null && !(p.vectorScore() <= best)) {
        best = p.vectorScore();
      }
    }
    return best;
  }

  private static double agreement(List<Passage> passages) {
    List<Passage> byVector = top(passages, Passage::vectorScore);
    List<Passage> byKeyword = top(passages, Passage::keywordScore);
    if (byVector.isEmpty() || passages.stream().allMatch(p -> p.keywordScore() == null)) {
      return Double.NaN;
    }
    long shared = byVector.stream().filter(byKeyword::contains).count();
    return (double) shared / byVector.size();
  }

  /** The {@value #TOP} passages with the highest {@code score}, those without one left out. */
  private static List<Passage> top(List<Passage> passages, java.util.function.Function<Passage, Double> score) {
    List<Passage> scored = new ArrayList<>();
    for (Passage p : passages) {
      if (score.apply(p) != null) {
        scored.add(p);
      }
    }
    scored.sort(Comparator.comparing(score).reversed());
    return scored.subList(0, Math.min(TOP, scored.size()));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
