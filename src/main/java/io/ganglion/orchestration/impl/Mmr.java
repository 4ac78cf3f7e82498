package io.ganglion.orchestration.impl;

import java.util.ArrayList;
import java.util.List;

/**
 * Maximal marginal relevance (Carbonell and Goldstein, 1998): repeatedly picks the candidate maximising
 * {@code lambda * sim(query, c) - (1 - lambda) * max sim(c, chosen)}, so the answer covers the question without
 * saying the same thing twice. Vectors are L2-normalised, so similarity is the dot product. Ties go to the earlier
 * candidate, which keeps the choice deterministic.
 */
final class Mmr {

  /** Candidates at least this similar to one already chosen are duplicates, whatever their relevance. */
  static final double DUPLICATE = 0.92;

  private Mmr() {
  }

  /**
   * @param relevance similarity of each candidate to the query
   * @param vectors   each candidate's vector
   * @param floor     candidates below this relevance are never chosen
   * @return indexes of the chosen candidates, in the order chosen
   */
  static List<Integer> select(double[] relevance, float[][] vectors, int k, double lambda, double floor) {
    List<Integer> chosen = new ArrayList<>();
    boolean[] out = new boolean[relevance.length];
    while (chosen.size() < k) {
      int best = -1;
      double bestScore = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < relevance.length; i++) {
        if (out[i] || relevance[i] < floor) {
          continue;
        }
        double redundancy = 0;
        for (int j : chosen) {
          redundancy = Math.max(redundancy, dot(vectors[i], vectors[j]));
        }
        if (redundancy >= DUPLICATE) {
          out[i] = true;
          continue;
        }
        double score = lambda * relevance[i] - (1 - lambda) * redundancy;
        if (score > bestScore) {
          bestScore = score;
          best = i;
        }
      }
      if (best < 0) {
        break;
      }
      out[best] = true;
      chosen.add(best);
    }
    return chosen;
  }

  static double dot(float[] a, float[] b) {
    double sum = 0;
    int n = Math.min(a.length, b.length);
    for (int i = 0; i < n; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }
}
