package io.ganglion.retrieval.index;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Four dot products against one query in a single pass, with the Java Vector API: each step loads the query's lanes
 * once and the same lanes of four vectors, so the four vectors stream from memory together (their cache misses
 * overlap) and the four independent fused multiply-adds hide each other's latency. Loaded only when the
 * {@code jdk.incubator.vector} module is present ({@link NeighbourScoring#VECTOR_API}).
 */
final class BatchDot {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  private BatchDot() {
  }

  /** {@code out[at..at+4)} = the dot products of {@code q} with {@code a}, {@code b}, {@code c}, {@code d}. */
  static void dot4(float[] q, float[] a, float[] b, float[] c, float[] d, float[] out, int at) {
    int dim = q.length;
    int bound = SPECIES.loopBound(dim);
    FloatVector sa = FloatVector.zero(SPECIES);
    FloatVector sb = FloatVector.zero(SPECIES);
    FloatVector sc = FloatVector.zero(SPECIES);
    FloatVector sd = FloatVector.zero(SPECIES);
    int i = 0;
    for (; i < bound; i += SPECIES.length()) {
      FloatVector x = FloatVector.fromArray(SPECIES, q, i);
      sa = FloatVector.fromArray(SPECIES, a, i).fma(x, sa);
      sb = FloatVector.fromArray(SPECIES, b, i).fma(x, sb);
      sc = FloatVector.fromArray(SPECIES, c, i).fma(x, sc);
      sd = FloatVector.fromArray(SPECIES, d, i).fma(x, sd);
    }
    float ra = sum(sa);
    float rb = sum(sb);
    float rc = sum(sc);
    float rd = sum(sd);
    for (; i < dim; i++) {
      ra += q[i] * a[i];
      rb += q[i] * b[i];
      rc += q[i] * c[i];
      rd += q[i] * d[i];
    }
    out[at] = ra;
    out[at + 1] = rb;
    out[at + 2] = rc;
    out[at + 3] = rd;
  }

  /**
   * The dot product of {@code q} and {@code a}, computed as one lane of {@link #dot4}: the same bits as
   * {@code dot4} gives for {@code a}, however warm the code is (JVector's Panama {@code VectorUtil.dotProduct} reduces
   * with {@code reduceLanes(ADD)} and moves in the last bit once compiled).
   */
  static float dot(float[] q, float[] a) {
    int dim = q.length;
    int bound = SPECIES.loopBound(dim);
    FloatVector sa = FloatVector.zero(SPECIES);
    int i = 0;
    for (; i < bound; i += SPECIES.length()) {
      sa = FloatVector.fromArray(SPECIES, a, i).fma(FloatVector.fromArray(SPECIES, q, i), sa);
    }
    float ra = sum(sa);
    for (; i < dim; i++) {
      ra += q[i] * a[i];
    }
    return ra;
  }

  /**
   * The lanes of {@code v} added in lane order. Not {@code reduceLanes(ADD)}, whose order is unspecified: compiled by
   * C2 it adds the lanes as a tree, interpreted or compiled by C1 one after another, so the same query scored the same
   * vector differently once the code had warmed up (e.g. 0.014907114 before, 0.014907125 after about 3,000 calls) —
   * a restarted server's scores moved with how much traffic, or warm-up, it had seen.
   */
  private static float sum(FloatVector v) {
    float s = 0;
    for (int lane = 0; lane < v.length(); lane++) {
      s += v.lane(lane);
    }
    return s;
  }
}
