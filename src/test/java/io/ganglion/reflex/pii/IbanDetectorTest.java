package io.ganglion.reflex.pii;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IbanDetectorTest {

  private final IbanDetector detector = new IbanDetector();

  @Test
  @DisplayName("IBANs with a valid mod-97 checksum and their country's length are found, grouped or compact")
  void findsValidIbans() {
    assertThat(Detect.matches(detector,
      "Bitte an DE89 3704 0044 0532 0130 00 überweisen, or GB82WEST12345698765432; FR14 2004 1010 0505 0001 3M02 606."))
      .containsExactly("DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "FR14 2004 1010 0505 0001 3M02 606");
  }

  @Test
  @DisplayName("a finding covers exactly the IBAN")
  void exactOffsets() {
    assertThat(Detect.findings(detector, "IBAN: DE89370400440532013000"))
      .containsExactly(new Finding(PiiTypes.IBAN, 6, 28, 0.97));
  }

  @Test
  @DisplayName("a wrong checksum, a wrong length, an unknown country or a longer run is not an IBAN")
  void rejectsNearMisses() {
    assertThat(Detect.matches(detector, "DE89 3704 0044 0532 0130 01")).isEmpty();
    assertThat(Detect.matches(detector, "DE89 3704 0044 0532 0130 0")).isEmpty();
    assertThat(Detect.matches(detector, "DE89370400440532013000X")).isEmpty();
    assertThat(Detect.matches(detector, "ZZ89370400440532013000")).isEmpty();
  }
}
