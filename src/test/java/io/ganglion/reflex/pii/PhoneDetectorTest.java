package io.ganglion.reflex.pii;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PhoneDetectorTest {

  private final PhoneDetector detector = new PhoneDetector();

  @Test
  @DisplayName("international numbers in E.164 and grouped forms are found")
  void international() {
    assertThat(Detect.matches(detector, "Call +14155552671 or +49 30 1234 5678 or +44 (0)20 7946 0958 today."))
      .containsExactly("+14155552671", "+49 30 1234 5678", "+44 (0)20 7946 0958");
  }

  @Test
  @DisplayName("national numbers with a trunk zero, an area code in parentheses or NANP dashes are found")
  void national() {
    assertThat(Detect.matches(detector, "Tel. 030 12345678, mobil 0171-1234567, US (555) 123-4567 or 555.123.4567"))
      .containsExactly("030 12345678", "0171-1234567", "(555) 123-4567", "555.123.4567");
  }

  @Test
  @DisplayName("offsets cover the number and nothing around it")
  void exactOffsets() {
    assertThat(Detect.findings(detector, "ruf an: +4915112345678."))
      .containsExactly(new Finding(PiiTypes.PHONE, 8, 22, 0.9));
  }

  @Test
  @DisplayName("dates, bare digit runs, versions, amounts and too short or long numbers are not phones")
  void rejectsLookalikes() {
    assertThat(Detect.matches(detector,
      "on 2024-01-15 or 15.01.2024, order 123456789012, v1.2.3.4, 1 000 000 EUR, +49 30 12, +1234567890123456789"))
      .isEmpty();
  }
}
