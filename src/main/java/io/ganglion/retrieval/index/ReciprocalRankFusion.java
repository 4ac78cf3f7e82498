package io.ganglion.retrieval.index;

import java.util.List;

/**
 * Reciprocal-rank fusion (Cormack et al., 2009): a chunk scores {@code sum 1 / (k + rank)} over the rankings it
 * appears in, rank counted from 1. Uses ranks only, so BM25's unbounded scores and cosine's [-1, 1] need no scaling;
 * {@code k = 60} is the paper's value and damps the influence of the very top positions.
 */
public record ReciprocalRankFusion(int k) implements Fusion {

  public ReciprocalRankFusion {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
  }

  @Override
  public List<FusedChunk> fuse(List<ScoredChunk> keyword, List<ScoredChunk> vector) {
    return Fusion.combine(keyword, vector, (isKeyword, position, score) -> 1.0 / (k + position + 1));
  }
}
