package io.ganglion.reflex.pii;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class PaymentCardDetectorTest {

  private final PaymentCardDetector detector = new PaymentCardDetector();

  @Test
  @DisplayName("Luhn-valid numbers of known issuers are found, compact or grouped by spaces or dashes")
  void findsValidCards() {
    assertThat(Detect.matches(detector, "visa 4111 1111 1111 1111, mc 5555-5555-5555-4444 and amex 378282246310005."))
      .containsExactly("4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @DisplayName("every network and length from 12 to 19 digits is found, in the groupings cards print")
  @CsvSource(delimiter = '|', value = {
    "Visa 13|4222222222222", "Visa 19|4111 1111 1111 1110 005", "Mastercard 2-series|2223 0031 2200 3222",
    "Amex 4-6-5|3782 822463 10005", "Diners 14|3056 930902 5904", "Diners 38, 14 digits|38520000023237",
    "Diners 16|3890 1234 5600 0006", "JCB|3530 1113 3330 0000", "JCB 19|3530111333300000001",
    "Discover|6011 0009 9013 9424", "UnionPay 16|6200000000000005", "UnionPay 19|6212 3456 7890 1200 008",
    "Maestro 12|5018 1234 5004", "Maestro 16|6759-6498-2643-8453", "Maestro UK 19|6767701234560000007",
    "Mir|2200 1234 5678 9001", "RuPay|6070 1234 5600 0001", "Troy|9792 0303 9440 0006", "Verve|5061001234567009",
    "Elo|5090 1234 5678 0006", "Dankort|5019 7170 1010 3742", "UATP|1354 123456 70009"})
  void networks(String network, String number) {
    assertThat(Detect.matches(detector, "card: " + number + ".")).containsExactly(number);
  }

  @Test
  @DisplayName("a no-break space is a separator too")
  void noBreakSpaces() {
    String number = "4111\u00A01111\u00A01111\u00A01111";
    assertThat(Detect.matches(detector, "Karte " + number)).containsExactly(number);
  }

  @Test
  @DisplayName("a finding carries the exact offsets of the number")
  void exactOffsets() {
    String text = "card: 4111111111111111!";
    assertThat(Detect.findings(detector, text))
      .containsExactly(new Finding(PiiTypes.CREDIT_CARD, 6, 22, 0.97));
  }

  @Test
  @DisplayName("a wrong check digit, mixed separators, an unknown issuer, a wrong length or a longer digit run is not a card")
  void rejectsNearMisses() {
    assertThat(Detect.matches(detector, "4111 1111 1111 1112")).isEmpty();
    assertThat(Detect.matches(detector, "4111 1111-1111 1111")).isEmpty();
    assertThat(Detect.matches(detector, "0000 0000 0000 0000")).isEmpty();
    assertThat(Detect.matches(detector, "order 41111111111111110000")).isEmpty();
    assertThat(Luhn.isValid("9111111111111111")).isFalse();
    assertThat(Detect.matches(detector, "9999 9999 9999 9995")).isEmpty();
    assertThat(Detect.matches(detector, "Amex with 16 digits 3782822463100053")).isEmpty();
    assertThat(Detect.matches(detector, "a Visa of 12 digits 411111111113")).isEmpty();
  }

  @Test
  @DisplayName("digit lists and a phone number with + are not cards")
  void rejectsListsAndPhones() {
    assertThat(Detect.matches(detector, "scores 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1")).isEmpty();
    assertThat(Detect.matches(detector, "ruf +4915123621067 an")).isEmpty();
  }

  @Test
  @DisplayName("a Luhn-valid number named an order, invoice or reference number, in any of seven languages, is not a card")
  void identifierWords() {
    assertThat(Detect.matches(detector, "order no. 4111111111111111 shipped")).isEmpty();
    assertThat(Detect.matches(detector, "Bestellnummer: 4111111111111111")).isEmpty();
    assertThat(Detect.matches(detector, "El pedido 6011000990139424 llegó")).isEmpty();
    assertThat(Detect.matches(detector, "charge the order to my card 4111111111111111"))
      .containsExactly("4111111111111111");
  }

  @Test
  @DisplayName("the Luhn check accepts the published test numbers and rejects a single-digit change")
  void luhn() {
    assertThat(Luhn.isValid("79927398713")).isTrue();
    assertThat(Luhn.isValid("79927398710")).isFalse();
    assertThat(Luhn.isValid("4012888888881881")).isTrue();
  }
}
