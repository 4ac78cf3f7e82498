package io.ganglion.retrieval.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded clustered unit vectors as {@code bench/ann.sh} generates them (Gaussian noise around 100 centres), one chunk
 * per document, with filterable metadata keys: {@code percent} (1% of the chunks share a value), {@code tenth} (10%)
 * and {@code half} (50%). Exact top-k by a full scan is the ground truth for recall.
 */
final class ClusteredVectors {

  final int dimension;
  private final Random random;
  private final float[][] centres;

  ClusteredVectors(long seed, int dimension) {
    this.dimension = dimension;
    this.random = new Random(seed);
    this.centres = new float[100][];
    for (int c = 0; c < centres.length; c++) {
      centres[c] = gaussian(1.0f);
    }
  }

  /** A unit vector near a random centre. */
  float[] next() {
    float[] centre = centres[random.nextInt(centres.length)];
    float[] v = gaussian(0.35f);
    double norm = 0;
    for (int i = 0; i < dimension; i++) {
      v[i] += centre[i];
      norm += v[i] * v[i];
    }
    float scale = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < dimension; i++) {
      v[i] *= scale;
    }
    return v;
  }

  /** Chunk {@code i}: document {@code doc-i}, chunk {@code doc-i#0}. */
  static ChunkRecord chunk(int i, float[] vector) {
    Map<String, String> metadata = Map.of("percent", "p" + (i % 100), "tenth", "t" + (i % 10), "half", "h" + (i % 2));
    return Corpus.record("doc-" + i, "doc-" + i + "#0", "chunk " + i, vector, metadata);
  }

  List<ChunkRecord> chunks(int from, int count) {
    List<ChunkRecord> out = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      out.add(chunk(i, next()));
    }
    return out;
  }

  /** The chunk ids of the exact top {@code k} of {@code query} among {@code chunks} that pass {@code filters}. */
  static List<String> exact(List<ChunkRecord> chunks, float[] query, int k, Map<String, String> filters) {
    // a bounded min-heap of (score, position): a full sort of 50k scored records per query would dominate the test
    java.util.PriorityQueue<double[]> best = new java.util.PriorityQueue<>((a, b) -> Double.compare(a[0], b[0]));
    for (int i = 0; i < chunks.size(); i++) {
      ChunkRecord c = chunks.get(i);
      boolean pass = true;
      for (Map.Entry<String, String> f : filters.entrySet()) {
        pass &= f.getValue().equals(c.metadata().get(f.getKey()));
      }
      if (!pass) {
        continue;
      }
      double dot = 0;
      float[] v = c.vector();
      for (int d = 0; d < query.length; d++) {
        dot += query[d] * v[d];
      }
      if (best.size() < k) {
        best.add(new double[] {dot, i});
      } else if (dot > best.peek()[0]) {
        best.poll();
        best.add(new double[] {dot, i});
      }
    }
    List<double[]> top = new ArrayList<>(best);
    top.sort((a, b) -> Double.compare(b[0], a[0]));
    return top.stream().map(t -> chunks.get((int) t[1]).chunkId()).toList();
  }

  /** Recall of {@code found} against {@code expected}, both chunk ids. */
  static double recall(List<String> expected, List<String> found) {
    return expected.isEmpty() ? 1.0
      : found.stream().filter(expected::contains).count() / (double) expected.size();
  }

  /**
   * Mean recall@10 of {@code index}'s vector search (100 candidates, the default beam) over {@code queries} (the first
   * 50 under a filter), against exact search among {@code live}.
   */
  static double meanRecall(KnowledgeBaseIndex index, List<ChunkRecord> live, List<float[]> queries,
                           Map<String, String> filters, java.util.concurrent.Executor pool) {
    double sum = 0;
    List<float[]> asked = filters.isEmpty() ? queries : queries.subList(0, 50);
    for (float[] q : asked) {
      List<String> found = index.search(new SearchQuery(null, q, SearchMode.VECTOR, 10, 100, filters),
          new ReciprocalRankFusion(60), pool)
        .join().stream().map(Hit::chunkId).toList();
      sum += recall(exact(live, q, 10, filters), found);
    }
    return sum / asked.size();
  }

  private float[] gaussian(float sigma) {
    float[] v = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      v[i] = (float) random.nextGaussian() * sigma;
    }
    return v;
  }

  @Override
  public String toString() {
    return "ClusteredVectors" + Arrays.toString(new int[] {dimension});
  }
}
