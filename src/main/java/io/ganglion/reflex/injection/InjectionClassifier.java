package io.ganglion.reflex.injection;

/**
 * A trained linear injection classifier, reduced to one weight per feature bucket: the log-odds of
 * {@code injection} over {@code benign} is {@code bias + sum(weight[b]) / sqrt(#buckets)} over the distinct buckets
 * {@link FeatureHasher} finds, the same L2-normalized binary vector the model was trained on.
 * <p>
 * Long texts are scored in overlapping windows of {@value #WINDOW} characters and the highest window wins, so an
 * injection buried in a long benign document is not averaged away.
 * <p>
 * <b>NOTE</b>: immutable and thread-safe. A typical prompt costs tens of microseconds (hashing and sorting its
 * n-grams); it runs on the event loop.
 */
public final class InjectionClassifier {

  /**
   * Characters per scoring window; the stride is half of it. About twice the longest training example: longer
   * windows let benign text around an attack dilute its features.
   */
  public static final int WINDOW = 384;

  private final float[] weights;
  private final double bias;

  InjectionClassifier(float[] weights, double bias) {
    if (weights.length != FeatureHasher.BUCKETS) {
      throw new IllegalArgumentException("need one weight per bucket");
    }
    this.weights = weights;
    this.bias = bias;
  }

  /** The probability in {@code [0, 1]} that {@code text} (normalised by {@link TextNormalizer}) is an injection. */
  public double score(String text) {
    if (text.length() <= WINDOW) {
      return scoreWindow(text);
    }
    double best = 0;
    for (int start = 0; start < text.length(); start += WINDOW / 2) {
      int end = Math.min(text.length(), start + WINDOW);
      best = Math.max(best, scoreWindow(text.substring(start, end)));
      if (end == text.length()) {
        break;
      }
    }
    return best;
  }

  private double scoreWindow(String text) {
    int[] buckets = FeatureHasher.features(text);
    if (buckets.length == 0) {
      return sigmoid(bias);
    }
    double sum = 0;
    for (int b : buckets) {
      sum += weights[b];
    }
    return sigmoid(bias + sum / Math.sqrt(buckets.length));
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }
}
