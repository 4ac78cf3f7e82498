package io.ganglion.reflex.pii;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

  @ParameterizedTest
  @DisplayName("lower case, mixed case, no-break spaces, dashes, and the registry's newest countries are found")
  @ValueSource(strings = {"de89 3704 0044 0532 0130 00", "gb82west12345698765432", "De89370400440532013000",
    "DE89\u00A03704\u00A00044\u00A00532\u00A00130\u00A000", "DE89-3704-0044-0532-0130-00",
    "NL91 ABNA 0417 1643 00", "nl91abna0417164300", "BR18 0036 0305 0000 1000 9795 493C 1",
    "MU17 BOMM 0101 1010 3030 0200 000M UR", "HN54 PISA 0000 0000 0000 0012 3124", "YE15 CBYE 0001 0188 6123 4567 8912 34",
    "OM81 0180 0000 0129 9123 456", "FK88 SC12 3456 7890 12", "SO21 1000 0010 0100 0100 141"})
  void formatsAndCountries(String iban) {
    assertThat(Detect.matches(detector, "IBAN: " + iban + ".")).containsExactly(iban);
  }

  @Test
  @DisplayName("a finding covers exactly the IBAN")
  void exactOffsets() {
    assertThat(Detect.findings(detector, "IBAN: DE89370400440532013000"))
      .containsExactly(new Finding(PiiTypes.IBAN, 6, 28, 0.97));
  }

  @Test
  @DisplayName("a wrong checksum, a wrong length, an unknown country, a longer run, mixed separators or a BBAN of the wrong shape is not an IBAN")
  void rejectsNearMisses() {
    assertThat(Detect.matches(detector, "DE89 3704 0044 0532 0130 01")).isEmpty();
    assertThat(Detect.matches(detector, "DE89 3704 0044 0532 0130 0")).isEmpty();
    assertThat(Detect.matches(detector, "DE89370400440532013000X")).isEmpty();
    assertThat(Detect.matches(detector, "ZZ89370400440532013000")).isEmpty();
    assertThat(Detect.matches(detector, "DE89 3704-0044 0532 0130 00")).isEmpty();
    // the Dutch BBAN starts with four letters; a checksum-valid run of digits in their place is no Dutch IBAN
    assertThat(IbanDetector.hasValidChecksum("NL5312340417164300".toCharArray())).isTrue();
    assertThat(IbanDetector.ibanEnd("NL53 1234 0417 1643 00", 0)).isEqualTo(-1);
  }
}
