package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Byte codes of vectors, which an in-heap graph walk scores")
class ScalarCodesTest {

  // first: picks the index's vectorization provider (array-backed vectors) before any other JVector class loads
  private static final VectorTypeSupport TYPES = JVectorTypes.TYPES;
  // not a multiple of any vector width, so the scalar tail of the kernels runs too
  private static final int DIMENSION = 70;

  private static final ClusteredVectors DATA = new ClusteredVectors(7, DIMENSION);

  private static RandomAccessVectorValues vectors(int n) {
    List<VectorFloat<?>> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(TYPES.createFloatVector(DATA.next()));
    }
    return new ListRandomAccessVectorValues(list, DIMENSION);
  }

  private static float exactDot(float[] q, VectorFloat<?> v) {
    float s = 0;
    for (int i = 0; i < q.length; i++) {
      s += q[i] * v.get(i);
    }
    return s;
  }

  @Test
  @DisplayName("score a query within 0.01 of the exact dot product, one node or four at a time alike")
  void approximateTheDotProduct() {
    RandomAccessVectorValues vectors = vectors(3_000);
    ScalarCodes codes = ScalarCodes.encode(vectors);
    assertThat(codes.size()).isEqualTo(3_000);
    assertThat(codes.bytes()).isLessThan(3_000L * DIMENSION * Float.BYTES / 3);
    float[] out = new float[4];
    for (int t = 0; t < 50; t++) {
      float[] q = DATA.next();
      ScalarCodes.Query query = codes.query(q);
      int a = t * 59;
      codes.dot4(query, a, a + 1, a + 2, a + 3, out, 0);
      for (int j = 0; j < 4; j++) {
        float exact = exactDot(q, vectors.getVector(a + j));
        float one = codes.dot(query, a + j);
        assertThat(one).isCloseTo(exact, org.assertj.core.data.Offset.offset(0.01f));
        assertThat(out[j]).isCloseTo(one, org.assertj.core.data.Offset.offset(1e-4f));
      }
    }
  }

  @Test
  @DisplayName("grow past a page of 1,024 vectors, and clamp a vector outside the fitted range instead of wrapping")
  void growAndClamp() {
    RandomAccessVectorValues fitted = vectors(100);
    ScalarCodes codes = ScalarCodes.encode(fitted);
    RandomAccessVectorValues more = vectors(2_500);
    for (int i = 0; i < more.size(); i++) {
      assertThat(codes.add(more.getVector(i))).isEqualTo(100 + i);
    }
    assertThat(codes.fittedOn()).isEqualTo(100);
    float[] q = DATA.next();
    ScalarCodes.Query query = codes.query(q);
    for (int i = 0; i < more.size(); i += 97) {
      assertThat(codes.dot(query, 100 + i)).isCloseTo(exactDot(q, more.getVector(i)),
        org.assertj.core.data.Offset.offset(0.05f));
    }
    // every dimension far beyond the range: clamped to its edge, so the score keeps the sign a wrap would flip
    float[] far = new float[DIMENSION];
    java.util.Arrays.fill(far, 10f);
    int ordinal = codes.add(TYPES.createFloatVector(far));
    float[] ones = new float[DIMENSION];
    java.util.Arrays.fill(ones, 1f);
    assertThat(codes.dot(codes.query(ones), ordinal)).isPositive();
  }

  @Test
  @DisplayName("leave a node the codes do not hold yet to the exact score")
  void exactBeyondTheCodes() {
    RandomAccessVectorValues vectors = vectors(200);
    List<VectorFloat<?>> first = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      first.add(vectors.getVector(i));
    }
    ScalarCodes codes = ScalarCodes.encode(new ListRandomAccessVectorValues(first, DIMENSION));
    VectorFloat<?> query = TYPES.createFloatVector(DATA.next());
    NeighbourScoring.Exact exact = new NeighbourScoring.Exact(query, vectors, null);
    NeighbourScoring.Coded coded = new NeighbourScoring.Coded(codes, (float[]) query.get(), exact);
    int[] nodes = {3, 150, 7, 99, 120};
    float[] scores = new float[8];
    coded.similarityTo(nodes, nodes.length, scores);
    for (int i = 0; i < nodes.length; i++) {
      float expected = nodes[i] < 100 ? coded.similarityTo(nodes[i]) : exact.similarityTo(nodes[i]);
      assertThat(scores[i]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5f));
    }
    assertThat(coded.similarityTo(150)).isEqualTo(exact.similarityTo(150));
  }
}
