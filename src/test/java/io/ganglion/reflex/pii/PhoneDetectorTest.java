package io.ganglion.reflex.pii;

import com.google.i18n.phonenumbers.PhoneNumberUtil.Leniency;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PhoneDetectorTest {

  private final PhoneDetector detector = new PhoneDetector();

  @Test
  @DisplayName("international numbers are found in E.164, grouped, dashed, dotted, with (0) and with the 00 prefix")
  void international() {
    assertThat(Detect.matches(detector, "Call +14155552671 or +49 30 1234 5678 or +44 (0)20 7946 0958 today."))
      .containsExactly("+14155552671", "+49 30 1234 5678", "+44 (0)20 7946 0958");
    assertThat(Detect.matches(detector, "Ruf +43-1-23456789 an, oder 0033 1 23 45 67 89, oder +39.06.1234.5678"))
      .containsExactly("+43-1-23456789", "0033 1 23 45 67 89", "+39.06.1234.5678");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @DisplayName("national numbers of the default regions are found grouped in twos, threes or fours, with brackets, dashes, dots or slashes")
  @CsvSource(delimiter = '|', value = {
    "DE|030 12345678", "DE|0171-1234567", "DE|030/1234567", "DE|(030) 1234 5678", "DE|0151 2345 6789",
    "AT|01 5880 0123", "CH|044 668 18 00", "FR|01 23 45 67 89", "FR|06.12.34.56.78", "BE|02 555 12 34",
    "ES|912 345 678", "ES|612 34 56 78", "IT|02 1234 5678", "IT|347 123 4567", "NL|020-123 4567",
    "NL|06-12345678", "PT|21 123 4567", "PT|912 345 678", "BR|(11) 91234-5678", "BR|(21) 3456-7890",
    "US|(415) 555-2671", "US|415.555.2671", "US|415-555-2671", "GB|020 7946 0958", "GB|07400 123456",
    "IN|098765 43210", "MX|55 1234 5678", "AU|(02) 9876 5432"})
  void national(String region, String number) {
    assertThat(Detect.matches(detector, "Contact (" + region + "): " + number + ", thanks.")).containsExactly(number);
  }

  @Test
  @DisplayName("offsets cover the number and nothing around it")
  void exactOffsets() {
    assertThat(Detect.findings(detector, "ruf an: +4915112345678."))
      .containsExactly(new Finding(PiiTypes.PHONE, 8, 22, 0.9));
  }

  @Test
  @DisplayName("a bare digit run or a short local number is a phone only after a phone word, in any of seven languages")
  void contextWords() {
    assertThat(Detect.matches(detector, "Rechnung 0301234567 vom Mai")).isEmpty();
    assertThat(Detect.matches(detector, "Telefon: 0301234567")).containsExactly("0301234567");
    assertThat(Detect.matches(detector, "order 4155552671 shipped")).isEmpty();
    assertThat(Detect.matches(detector, "call me on 4155552671")).containsExactly("4155552671");
    assertThat(Detect.matches(detector, "Artikel 12 34 56")).isEmpty();
    assertThat(Detect.matches(detector, "Tel. 12 34 56")).containsExactly("12 34 56");
    assertThat(Detect.matches(detector, "appelez le 0123456789")).containsExactly("0123456789");
    assertThat(Detect.matches(detector, "llámame al 612345678")).containsExactly("612345678");
    assertThat(Detect.matches(detector, "bel me op 0612345678")).containsExactly("0612345678");
  }

  @Test
  @DisplayName("dates, bare digit runs, versions, amounts, references, addresses and too short or long numbers are not phones")
  void rejectsLookalikes() {
    assertThat(Detect.matches(detector,
      "on 2024-01-15 or 15.01.2024 or 01/15/2024, order 123456789012, v1.2.3.4, 1 000 000 EUR, +49 30 12, "
        + "+1234567890123456789, ref FT 2024-183923, ISBN 978-3-16-148410-0, host 192.168.100.200, 1.234.567,89 €"))
      .isEmpty();
  }

  @Test
  @DisplayName("a card number or an IBAN written in groups is not read as phone numbers")
  void longGroupedRuns() {
    assertThat(Detect.matches(detector, "card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00")).isEmpty();
  }

  @Test
  @DisplayName("regions are configurable: without BE in the list a Belgian national number is not read, with it it is")
  void regions() {
    String text = "Bruxelles : 02 555 12 34";
    assertThat(Detect.matches(new PhoneDetector(List.of("US"), Leniency.VALID), text)).isEmpty();
    assertThat(Detect.matches(new PhoneDetector(List.of("US", "BE"), Leniency.VALID), text))
      .containsExactly("02 555 12 34");
    assertThatThrownBy(() -> new PhoneDetector(List.of("XX"), Leniency.VALID))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("XX");
  }
}
