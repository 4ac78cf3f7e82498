package io.ganglion.retrieval.index;

import java.util.List;

/**
 * Relative-score fusion: each ranking's scores are min-max normalised to [0, 1] (a ranking whose scores are all equal
 * normalises to 1), then a chunk scores {@code vectorWeight * vector + (1 - vectorWeight) * keyword}, a ranking the
 * chunk is missing from counting 0. Keeps the score gaps RRF throws away.
 */
public record WeightedScoreFusion(double vectorWeight) implements Fusion {

  public WeightedScoreFusion {
    if (!(vectorWeight >= 0 && vectorWeight <= 1)) {
      throw new IllegalArgumentException("vectorWeight must be in [0, 1], got " + vectorWeight);
    }
  }

  @Override
  public List<FusedChunk> fuse(List<ScoredChunk> keyword, List<ScoredChunk> vector) {
    double[] kw = range(keyword);
    double[] vec = range(vector);
    return Fusion.combine(keyword, vector, (isKeyword, position, score) -> isKeyword
      ? (1 - vectorWeight) * normalised(score, kw)
      : vectorWeight * normalised(score, vec));
  }

  private static double[] range(List<ScoredChunk> ranking) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (ScoredChunk c : ranking) {
      min = Math.min(min, c.score());
      max = Math.max(max, c.score());
    }
    return new double[] {min, max};
  }

  private static double normalised(double score, double[] range) {
    double span = range[1] - range[0];
    return span > 0 ? (score - range[0]) / span : 1.0;
  }
}
