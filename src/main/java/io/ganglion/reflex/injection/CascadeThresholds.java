package io.ganglion.reflex.injection;

/**
 * Where the cascade's stages stop: a score outside {@code [low, high)} after a stage is decided there; inside the
 * band it goes on to the next stage. The label itself is decided at {@code threshold}.
 *
 * @param threshold score at or above which a text is an injection
 * @param ngramLow below this the rules and n-gram classifier call it benign on their own
 * @param ngramHigh at or above this they call it an injection on their own
 * @param exemplarLow below this (rules, n-grams and exemplars averaged) it is benign without embeddings
 * @param exemplarHigh at or above this it is an injection without embeddings
 */
public record CascadeThresholds(double threshold, double ngramLow, double ngramHigh, double exemplarLow,
                                double exemplarHigh) {

  /**
   * The defaults, chosen by cross-validation on the training set with folds that keep a prompt and its translations
   * together, with the {@link TriggerObjects object reading} on (bench/RESULTS.md, {@code ObjectSweep}): the first
   * stage decides below 0.55 and from 0.7 on; in between the exemplars vote.
   */
  public static final CascadeThresholds DEFAULTS = new CascadeThresholds(0.6, 0.55, 0.7, 0.55, 0.7);

  /**
   * The band passages are screened with ({@link InjectionDetector#detectPassage}), around the same threshold: a
   * passage's first-stage score spreads wider than a prompt's (long, third-person text unlike the training prompts), so
   * the exemplars vote on more of them. Chosen on the SciFact tuning half (bench/RESULTS.md,
   * {@code PassageScreeningEvaluation}); the prompts' band above would flag twenty times as many benign chunks there.
   */
  public static final CascadeThresholds PASSAGES = new CascadeThresholds(0.6, 0.35, 0.9, 0.5, 0.75);

  public CascadeThresholds {
    if (!(0 <= ngramLow && ngramLow <= threshold && threshold <= ngramHigh && ngramHigh <= 1
      && ngramLow <= exemplarLow && exemplarLow <= threshold && threshold <= exemplarHigh && exemplarHigh <= ngramHigh)) {
      throw new IllegalArgumentException("expected 0 <= ngramLow <= exemplarLow <= threshold <= exemplarHigh"
        + " <= ngramHigh <= 1, got " + this);
    }
  }

  /** The same bands around another {@code threshold} (a tenant's or knowledge base's override), clamped to [0, 1]. */
  public CascadeThresholds at(double threshold) {
    double shift = threshold - this.threshold;
    return new CascadeThresholds(threshold, clamp(ngramLow + shift, 0, threshold), clamp(ngramHigh + shift, threshold, 1),
      clamp(exemplarLow + shift, 0, threshold), clamp(exemplarHigh + shift, threshold, 1));
  }

  /** {@link #PASSAGES}' band around this threshold. */
  public CascadeThresholds forPassages() {
    return PASSAGES.at(threshold);
  }

  private static double clamp(double v, double min, double max) {
    return Math.max(min, Math.min(max, v));
  }
}
