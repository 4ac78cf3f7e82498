package io.ganglion.reflex.injection;

import java.util.Arrays;
import java.util.List;

/**
 * Similarity to known examples: the training prompts, each as its set of {@link FeatureHasher} buckets, in an
 * inverted index from bucket to examples. A query's score is the similarity-weighted share of injections among its
 * {@value #K} nearest examples (cosine of the bucket sets), so a prompt that closely resembles a known attack scores
 * high even when its words are few, and one that resembles a known look-alike scores low.
 * <p>
 * Cost: one pass over the query's buckets and their postings (a few thousand increments for a 300-character prompt,
 * microseconds), then a top-{@value #K} scan.
 * <p>
 * <b>NOTE</b>: immutable after construction and thread-safe (each query allocates its own counters).
 */
public final class ExemplarIndex {

  static final int K = 5;
  /** Buckets found in more than one example in this many are left out of the index. */
  static final int MAX_DF_FRACTION = 20;

  private final int[][] postings;
  private final int[] sizes;
  private final boolean[] injection;
  private final String[] texts;

  /** Indexes {@code examples} (already normalised text). */
  ExemplarIndex(List<LabelledText> examples) {
    int n = examples.size();
    sizes = new int[n];
    injection = new boolean[n];
    texts = new String[n];
    int[] counts = new int[FeatureHasher.BUCKETS];
    int[][] features = new int[n][];
    for (int i = 0; i < n; i++) {
      LabelledText e = examples.get(i);
      features[i] = FeatureHasher.features(TextNormalizer.normalize(e.text()));
      injection[i] = e.isInjection();
      texts[i] = e.text();
      for (int b : features[i]) {
        counts[b]++;
      }
    }
    // n-grams most examples share (" th", "the ", "you") say nothing about the label and make postings long
    int maxDf = Math.max(2, n / MAX_DF_FRACTION);
    postings = new int[FeatureHasher.BUCKETS][];
    int[] fill = new int[FeatureHasher.BUCKETS];
    for (int b = 0; b < counts.length; b++) {
      if (counts[b] > 0 && counts[b] <= maxDf) {
        postings[b] = new int[counts[b]];
      }
    }
    for (int i = 0; i < n; i++) {
      for (int b : features[i]) {
        if (postings[b] != null) {
          postings[b][fill[b]++] = i;
          sizes[i]++;
        }
      }
    }
  }

  /** The nearest examples' vote and the nearest one. */
  public record Match(double score, double similarity, String nearest, boolean nearestIsInjection) {
  }

  /** Scores the normalised {@code text}; an empty index or a text without features scores 0.5 (no opinion). */
  public Match match(String normalized) {
    int[] query = FeatureHasher.features(normalized);
    if (query.length == 0 || sizes.length == 0) {
      return new Match(0.5, 0, null, false);
    }
    int[] overlap = new int[sizes.length];
    int indexed = 0;
    for (int b : query) {
      int[] list = postings[b];
      if (list != null) {
        indexed++;
        for (int i : list) {
          overlap[i]++;
        }
      }
    }
    if (indexed == 0) {
      return new Match(0.5, 0, null, false);
    }
    int[] best = new int[K];
    double[] bestSim = new double[K];
    Arrays.fill(best, -1);
    Arrays.fill(bestSim, -1);
    double norm = Math.sqrt(indexed);
    for (int i = 0; i < overlap.length; i++) {
      if (overlap[i] == 0) {
        continue;
      }
      double sim = overlap[i] / (norm * Math.sqrt(sizes[i]));
      if (sim > bestSim[K - 1]) {
        int at = K - 1;
        while (at > 0 && bestSim[at - 1] < sim) {
          bestSim[at] = bestSim[at - 1];
          best[at] = best[at - 1];
          at--;
        }
        bestSim[at] = sim;
        best[at] = i;
      }
    }
    if (best[0] < 0) {
      return new Match(0.5, 0, null, false);
    }
    double weight = 0;
    double vote = 0;
    for (int k = 0; k < K && best[k] >= 0; k++) {
      double w = bestSim[k] * bestSim[k];
      weight += w;
      vote += injection[best[k]] ? w : 0;
    }
    return new Match(vote / weight, bestSim[0], texts[best[0]], injection[best[0]]);
  }

  /** How many examples are indexed. */
  public int size() {
    return sizes.length;
  }
}
