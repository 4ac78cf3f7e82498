package io.ganglion.retrieval.index;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges a keyword and a vector ranking into one. Both input lists are ordered best first; the output is ordered by
 * fused score, ties broken by chunk id so results are deterministic. Implementations are immutable and thread-safe.
 */
public interface Fusion {

  /** The fused ranking of every chunk in either list, best first. */
  List<FusedChunk> fuse(List<ScoredChunk> keyword, List<ScoredChunk> vector);

  /** Best first, then by chunk id. */
  Comparator<FusedChunk> ORDER = Comparator.comparingDouble(FusedChunk::score).reversed()
    .thenComparing(FusedChunk::chunkId);

  /** Calls {@code contribution} for every (ranking, position) and sums per chunk, keeping raw scores. */
  static List<FusedChunk> combine(List<ScoredChunk> keyword, List<ScoredChunk> vector, Contribution contribution) {
    Map<String, double[]> acc = new LinkedHashMap<>();
    // acc[chunk] = {fused, keyword raw or NaN, vector raw or NaN}
    for (int i = 0; i < keyword.size(); i++) {
      double[] a = acc.computeIfAbsent(keyword.get(i).chunkId(), k -> new double[] {0, Double.NaN, Double.NaN});
      a[0] += contribution.of(true, i, keyword.get(i).score());
      a[1] = keyword.get(i).score();
    }
    for (int i = 0; i < vector.size(); i++) {
      double[] a = acc.computeIfAbsent(vector.get(i).chunkId(), k -> new double[] {0, Double.NaN, Double.NaN});
      a[0] += contribution.of(false, i, vector.get(i).score());
      a[2] = vector.get(i).score();
    }
    return acc.entrySet().stream()
      .map(e -> new FusedChunk(e.getKey(), e.getValue()[0], boxed(e.getValue()[1]), boxed(e.getValue()[2])))
      .sorted(ORDER)
      .toList();
  }

  private static Double boxed(double v) {
    return Double.isNaN(v) ? null : v;
  }

  /** What one entry of one ranking adds to its chunk's fused score. */
  @FunctionalInterface
  interface Contribution {
    double of(boolean keyword, int position, double score);
  }
}
