package io.ganglion.orchestration.impl;

import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.List;

/**
 * What the extractive generator decides to answer or abstain on ({@link AbstentionModel}): evidence from the
 * sentences it would quote and from the retrieval that found their passages. No single one separates answerable
 * questions from off-topic ones: a paraphrase may sit at a modest sentence cosine, while an off-topic question can
 * reach a similar cosine on some generic sentence; an off-topic question's passages also score alike, where the
 * passage that answers a question stands out.
 * <p>
 * Chosen for being stable as well as telling: each moves by at most ~0.017 when the question is embedded inside a
 * batch of 16 mixed-length texts instead of alone (int8 activations are quantised per batch). Two other signals were
 * measured on the fit set and left out: how far the best sentence stands out among the candidates (it moves twice as
 * much, through the candidate set, and added nothing to the sentence cosine), and the agreement of the keyword and
 * vector rankings on the top passages (a paraphrase shares no words with its passage, so it told answerable from
 * off-topic no better than chance, and it jumps by thirds when one passage changes rank).
 *
 * @param sentence        the best question/sentence cosine
 * @param passage         the best vector score (question/chunk cosine, computed by retrieval) of the first
 *                        {@value #TOP} passages; NaN when retrieval returned no vector scores (keyword mode)
 * @param passageContrast how far the best passage stands out in the vector ranking: the best vector score of the
 *                        context minus the median of its vector scores; NaN without vector scores
 */
record AnswerSignals(double sentence, double passage, double passageContrast) {

  /** The order of {@link #values()}, as named in a fitted model. */
  static final List<String> NAMES = List.of("sentence", "passage", "passageContrast");

  /** Passages at the top of the ranking that the retrieval signals look at. */
  static final int TOP = 3;

  /**
   * @param passages  the context, best first
   * @param relevance each candidate sentence's cosine with the question (at least one)
   */
  static AnswerSignals of(List<Passage> passages, double[] relevance) {
    double best = Double.NEGATIVE_INFINITY;
    for (double r : relevance) {
      best = Math.max(best, r);
    }
    double[] vectorScores = passages.stream().map(Passage::vectorScore).filter(v -> v != null)
      .mapToDouble(Double::doubleValue).toArray();
    double passageContrast = vectorScores.length == 0 ? Double.NaN
      : Arrays.stream(vectorScores).max().orElseThrow() - median(vectorScores);
    return new AnswerSignals(best, passage(passages), passageContrast);
  }

  double[] values() {
    return new double[] {sentence, passage, passageContrast};
  }

  /** {@code {"sentence","passage","passageContrast"}}, a missing signal as {@code null}. */
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

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
