package io.ganglion.reflex.pii;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SsnDetectorTest {

  private final SsnDetector detector = new SsnDetector();

  @Test
  @DisplayName("dashed or spaced SSNs in the issued ranges are found with exact offsets")
  void findsSsns() {
    String text = "SSN 123-45-6789 and 772 12 3456";
    assertThat(Detect.findings(detector, text)).containsExactly(
      new Finding(PiiTypes.SSN, 4, 15, 0.85), new Finding(PiiTypes.SSN, 20, 31, 0.85));
  }

  @Test
  @DisplayName("area 000, 666 or 9xx, group 00, serial 0000, mixed separators and longer runs are rejected")
  void rejectsInvalidRanges() {
    assertThat(Detect.matches(detector,
      "000-12-3456 666-12-3456 900-12-3456 999-12-3456 123-00-4567 123-45-0000 123-45 6789 1123-45-6789 123-45-67890"))
      .isEmpty();
    assertThat(SsnDetector.isIssuable(899, 99, 9999)).isTrue();
  }
}
