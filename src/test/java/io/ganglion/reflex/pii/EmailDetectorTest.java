package io.ganglion.reflex.pii;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EmailDetectorTest {

  private final EmailDetector detector = new EmailDetector();

  @Test
  @DisplayName("addresses are found with exact offsets, without the sentence's full stop")
  void findsAddresses() {
    String text = "Write to john.doe+tag@example.co.uk. Or anna@firma-x.de";
    assertThat(Detect.findings(detector, text)).containsExactly(
      new Finding(PiiTypes.EMAIL, 9, 35, 0.95), new Finding(PiiTypes.EMAIL, 40, 55, 0.95));
  }

  @Test
  @DisplayName("handles, decorators, missing TLDs and dash-bounded labels are not addresses")
  void rejectsLookalikes() {
    assertThat(Detect.matches(detector, "@user @Override a@b x@localhost y@-bad.com z@host.c1 me@ @")).isEmpty();
  }
}
