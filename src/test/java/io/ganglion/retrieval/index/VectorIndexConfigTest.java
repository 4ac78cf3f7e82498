package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The search beam of a vector segment")
class VectorIndexConfigTest {

  private static final VectorIndexConfig AUTOMATIC = VectorIndexConfig.DEFAULTS;

  @Test
  @DisplayName("is the hits asked for up to the size where it starts to grow, four times that for a PQ walk")
  void hitsAskedForOnSmallSegments() {
    assertThat(AUTOMATIC.beam()).isZero();
    assertThat(AUTOMATIC.beamFor(100, false, 0)).isEqualTo(100);
    assertThat(AUTOMATIC.beamFor(100, false, VectorIndexConfig.BEAM_GROWS_FROM)).isEqualTo(100);
    assertThat(AUTOMATIC.beamFor(10, true, VectorIndexConfig.BEAM_GROWS_FROM)).isEqualTo(40);
  }

  @Test
  @DisplayName("grows with the square root of a larger segment's size")
  void growsWithSize() {
    int from = VectorIndexConfig.BEAM_GROWS_FROM;
    assertThat(AUTOMATIC.beamFor(100, false, 4 * from)).isEqualTo(200);
    assertThat(AUTOMATIC.beamFor(100, false, 10 * from)).isEqualTo(317);
    assertThat(AUTOMATIC.beamFor(100, false, 2 * from)).isBetween(AUTOMATIC.beamFor(100, false, from) + 1,
      AUTOMATIC.beamFor(100, false, 3 * from) - 1);
    assertThat(AUTOMATIC.beamFor(10, true, 4 * from)).isEqualTo(80);
  }

  @Test
  @DisplayName("is the configured beam whatever the segment's size, never below the hits asked for")
  void configuredBeamWins() {
    VectorIndexConfig fixed = new VectorIndexConfig(100_000, 20_000, 0, 150, 1);
    assertThat(fixed.beamFor(100, false, 10 * VectorIndexConfig.BEAM_GROWS_FROM)).isEqualTo(150);
    assertThat(fixed.beamFor(200, false, 0)).isEqualTo(200);
  }
}
