package io.ganglion.reflex.pii;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PaymentCardDetectorTest {

  private final PaymentCardDetector detector = new PaymentCardDetector();

  @Test
  @DisplayName("Luhn-valid numbers of known issuers are found, compact or grouped by spaces or dashes")
  void findsValidCards() {
    assertThat(Detect.matches(detector, "visa 4111 1111 1111 1111, mc 5555-5555-5555-4444 and amex 378282246310005."))
      .containsExactly("4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005");
  }

  @Test
  @DisplayName("a finding carries the exact offsets of the number")
  void exactOffsets() {
    String text = "card: 4111111111111111!";
    assertThat(Detect.findings(detector, text))
      .containsExactly(new Finding(PiiTypes.CREDIT_CARD, 6, 22, 0.97));
  }

  @Test
  @DisplayName("a wrong check digit, mixed separators, an unknown issuer or a longer digit run is not a card")
  void rejectsNearMisses() {
    assertThat(Detect.matches(detector, "4111 1111 1111 1112")).isEmpty();
    assertThat(Detect.matches(detector, "4111 1111-1111 1111")).isEmpty();
    assertThat(Detect.matches(detector, "0000 0000 0000 0000")).isEmpty();
    assertThat(Detect.matches(detector, "order 41111111111111110000")).isEmpty();
    assertThat(Luhn.isValid("9111111111111111")).isFalse();
    assertThat(Detect.matches(detector, "9999 9999 9999 9995")).isEmpty();
  }

  @Test
  @DisplayName("the Luhn check accepts the published test numbers and rejects a single-digit change")
  void luhn() {
    assertThat(Luhn.isValid("79927398713")).isTrue();
    assertThat(Luhn.isValid("79927398710")).isFalse();
    assertThat(Luhn.isValid("4012888888881881")).isTrue();
  }
}
