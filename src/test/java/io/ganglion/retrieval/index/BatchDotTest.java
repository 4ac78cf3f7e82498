package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The four-at-a-time dot product")
class BatchDotTest {

  private static final int DIMENSION = 384;
  private static final int LANES = FloatVector.SPECIES_PREFERRED.length();

  @Test
  @DisplayName("gives the same bits for the same vectors from its first call to long after the JIT compiled it (one vector or four), so a warmed-up server scores as a cold one")
  void sameBitsColdAndWarm() {
    Random random = new Random(7);
    float[][] v = new float[5][DIMENSION];
    for (float[] x : v) {
      for (int i = 0; i < DIMENSION; i++) {
        x[i] = (float) random.nextGaussian() * 0.05f;
      }
    }
    float[] expected = new float[4];
    for (int j = 0; j < 4; j++) {
      expected[j] = inLaneOrder(v[0], v[j + 1]);
    }
    float[] out = new float[4];
    // C2 compiles the kernel after a few thousand calls; reduceLanes(ADD) then added the lanes in another order
    for (int call = 0; call < 50_000; call++) {
      BatchDot.dot4(v[0], v[1], v[2], v[3], v[4], out, 0);
      assertThat(out).as("call %d", call).containsExactly(expected);
      assertThat(BatchDot.dot(v[0], v[1 + call % 4])).as("call %d", call).isEqualTo(expected[call % 4]);
    }
  }

  /** The kernel's definition in scalar code: one fused multiply-add chain per lane, lanes added in order, then the tail. */
  private static float inLaneOrder(float[] q, float[] a) {
    int bound = DIMENSION - DIMENSION % LANES;
    float[] lanes = new float[LANES];
    for (int i = 0; i < bound; i += LANES) {
      for (int lane = 0; lane < LANES; lane++) {
        lanes[lane] = Math.fma(a[i + lane], q[i + lane], lanes[lane]);
      }
    }
    float sum = 0;
    for (float lane : lanes) {
      sum += lane;
    }
    for (int i = bound; i < DIMENSION; i++) {
      sum += q[i] * a[i];
    }
    return sum;
  }
}
