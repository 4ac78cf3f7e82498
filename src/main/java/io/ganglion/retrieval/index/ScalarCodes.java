package io.ganglion.retrieval.index;

import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectors as one signed byte per dimension, in pages of 1,024 vectors that never move: dimension {@code i} of a
 * vector is {@code offset[i] + scale[i] * code}, each dimension's range taken from the vectors it was fitted on. A
 * graph walk scores these codes (a quarter of the float32 vector's bytes to read per neighbour), and the beam it found
 * is then re-scored exactly on the float32 vectors ({@link NeighbourScoring}). A dot product being linear, the query
 * is folded into the codes' space once per search ({@link #query}): a code's score is then one multiply-add per
 * dimension, on byte lanes widened to floats. Needs the Vector API module and array-backed vectors.
 * <p>
 * <b>NOTE</b>: one thread appends ({@link #add}, serialised by the caller) while any number read the codes of
 * ordinals below {@link #size()}; the range stays the one fitted at {@link #encode} (values beyond it are clamped),
 * so a growing segment re-encodes when it has doubled ({@link #fittedOn()}).
 */
public final class ScalarCodes {

  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class,
    VectorShape.forBitSize(FLOATS.length() * Byte.SIZE));

  private static final int PAGE_BITS = 10;
  private static final int PAGE_SIZE = 1 << PAGE_BITS;
  /** The fitted range of each dimension is widened by this share on both sides, for the vectors still to come. */
  private static final float MARGIN = 0.05f;

  private final int dimension;
  private final float[] offset;
  private final float[] scale;
  private final int fittedOn;
  private volatile byte[][] pages = new byte[4][];
  private volatile int size;

  private ScalarCodes(int dimension, float[] offset, float[] scale, int fittedOn) {
    this.dimension = dimension;
    this.offset = offset;
    this.scale = scale;
    this.fittedOn = fittedOn;
  }

  /** Codes for every vector of {@code vectors}, each dimension's range fitted on them. */
  public static ScalarCodes encode(RandomAccessVectorValues vectors) {
    int dim = vectors.dimension();
    float[] min = new float[dim];
    float[] max = new float[dim];
    java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
    java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
    for (int node = 0; node < vectors.size(); node++) {
      float[] v = values(vectors.getVector(node));
      for (int i = 0; i < dim; i++) {
        min[i] = Math.min(min[i], v[i]);
        max[i] = Math.max(max[i], v[i]);
      }
    }
    float[] offset = new float[dim];
    float[] scale = new float[dim];
    for (int i = 0; i < dim; i++) {
      offset[i] = (max[i] + min[i]) / 2;
      scale[i] = max[i] > min[i] ? (max[i] - min[i]) * (1 + 2 * MARGIN) / 254 : 1;
    }
    ScalarCodes codes = new ScalarCodes(dim, offset, scale, vectors.size());
    for (int node = 0; node < vectors.size(); node++) {
      codes.add(vectors.getVector(node));
    }
    return codes;
  }

  /** Appends {@code v}'s codes (values outside the fitted range are clamped to it); returns its ordinal. */
  public int add(VectorFloat<?> v) {
    int n = size;
    int page = n >>> PAGE_BITS;
    byte[][] p = pages;
    if (page == p.length) {
      p = java.util.Arrays.copyOf(p, p.length * 2);
    }
    if (p[page] == null) {
      p[page] = new byte[PAGE_SIZE * dimension];
    }
    byte[] codes = p[page];
    int at = (n & (PAGE_SIZE - 1)) * dimension;
    float[] x = values(v);
    for (int i = 0; i < dimension; i++) {
      float c = Math.round((x[i] - offset[i]) / scale[i]);
      codes[at + i] = (byte) Math.max(-127, Math.min(127, c));
    }
    pages = p;
    size = n + 1; // published after its codes
    return n;
  }

  /** The vector's own float array (array-backed vectors only: JVector's Panama provider, as the index runs). */
  private static float[] values(VectorFloat<?> v) {
    return (float[]) v.get();
  }

  /** Vectors encoded: ordinals {@code 0..size)}. */
  public int size() {
    return size;
  }

  /** How many vectors the range was fitted on. */
  public int fittedOn() {
    return fittedOn;
  }

  /** Bytes held by the codes (whole pages) and the range. */
  public long bytes() {
    long pagesHeld = (size + PAGE_SIZE - 1) >>> PAGE_BITS;
    return pagesHeld * PAGE_SIZE * dimension + 8L * dimension;
  }

  /**
   * The query in the codes' space: {@code weights[i] = q[i] * scale[i]}, and their constant term {@code Σ q[i] *
   * offset[i]}, so that a code's dot product with the query is {@code constant + Σ weights[i] * code[i]}.
   */
  Query query(float[] q) {
    float[] weights = new float[dimension];
    float constant = 0;
    for (int i = 0; i < dimension; i++) {
      weights[i] = q[i] * scale[i];
      constant += q[i] * offset[i];
    }
    return new Query(weights, constant);
  }

  record Query(float[] weights, float constant) {
  }

  /** The approximate dot product of {@code query} with node {@code node}'s codes (one lane of {@link #dot4}). */
  float dot(Query query, int node) {
    float[] out = new float[4];
    dot4(query, node, node, node, node, out, 0);
    return out[0];
  }

  /** {@code out[at..at+4)} = the approximate dot products of {@code query} with four nodes' codes, in one pass. */
  void dot4(Query query, int a, int b, int c, int d, float[] out, int at) {
    float[] w = query.weights;
    byte[][] p = pages;
    byte[] ca = p[a >>> PAGE_BITS];
    byte[] cb = p[b >>> PAGE_BITS];
    byte[] cc = p[c >>> PAGE_BITS];
    byte[] cd = p[d >>> PAGE_BITS];
    int oa = (a & (PAGE_SIZE - 1)) * dimension;
    int ob = (b & (PAGE_SIZE - 1)) * dimension;
    int oc = (c & (PAGE_SIZE - 1)) * dimension;
    int od = (d & (PAGE_SIZE - 1)) * dimension;
    int bound = FLOATS.loopBound(dimension);
    FloatVector sa = FloatVector.zero(FLOATS);
    FloatVector sb = sa;
    FloatVector sc = sa;
    FloatVector sd = sa;
    int i = 0;
    for (; i < bound; i += FLOATS.length()) {
      FloatVector x = FloatVector.fromArray(FLOATS, w, i);
      sa = widen(ca, oa + i).fma(x, sa);
      sb = widen(cb, ob + i).fma(x, sb);
      sc = widen(cc, oc + i).fma(x, sc);
      sd = widen(cd, od + i).fma(x, sd);
    }
    float ra = sa.reduceLanes(VectorOperators.ADD);
    float rb = sb.reduceLanes(VectorOperators.ADD);
    float rc = sc.reduceLanes(VectorOperators.ADD);
    float rd = sd.reduceLanes(VectorOperators.ADD);
    for (; i < dimension; i++) {
      ra += w[i] * ca[oa + i];
      rb += w[i] * cb[ob + i];
      rc += w[i] * cc[oc + i];
      rd += w[i] * cd[od + i];
    }
    out[at] = query.constant + ra;
    out[at + 1] = query.constant + rb;
    out[at + 2] = query.constant + rc;
    out[at + 3] = query.constant + rd;
  }

  private static FloatVector widen(byte[] codes, int at) {
    return (FloatVector) ByteVector.fromArray(BYTES, codes, at).convertShape(VectorOperators.B2F, FLOATS, 0);
  }
}
