package io.ganglion.reflex.pii;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class PiiScannerTest {

  private final PiiScanner scanner = PiiScanner.withBuiltIns(24, 4.0,
    List.of(new PatternDetector("employee_id", Pattern.compile("\\bEMP-\\d{6}\\b"), 0.9)));

  @Test
  @DisplayName("findings of all detectors come back in text order without overlaps")
  void mixedText() {
    String text = "Mail anna@example.com, card 4111 1111 1111 1111, key " + ApiKeyDetectorTest.GITHUB + ", id EMP-123456.";
    assertThat(scanner.scan(text)).extracting(Finding::type)
      .containsExactly(PiiTypes.EMAIL, PiiTypes.CREDIT_CARD, PiiTypes.API_KEY, "employee_id");
  }

  @Test
  @DisplayName("overlaps are resolved by score, then length, then start, then type — whatever order detectors ran in")
  void overlapResolution() {
    List<Finding> candidates = new ArrayList<>(List.of(
      new Finding("secret", 0, 30, 0.6),
      new Finding("api_key", 0, 30, 0.99),
      new Finding("phone", 40, 52, 0.75),
      new Finding("credit_card", 38, 57, 0.97),
      new Finding("b", 60, 65, 0.5),
      new Finding("a", 60, 65, 0.5),
      new Finding("long", 70, 80, 0.5),
      new Finding("short", 72, 76, 0.5)));
    List<Finding> reversed = new ArrayList<>(candidates.reversed());
    List<Finding> expected = List.of(
      new Finding("api_key", 0, 30, 0.99), new Finding("credit_card", 38, 57, 0.97),
      new Finding("a", 60, 65, 0.5), new Finding("long", 70, 80, 0.5));
    assertThat(PiiScanner.resolveOverlaps(candidates)).isEqualTo(expected);
    assertThat(PiiScanner.resolveOverlaps(reversed)).isEqualTo(expected);
  }

  @Test
  @DisplayName("a card number is reported once as a card even though the phone and entropy rules also see digits")
  void cardBeatsPhone() {
    assertThat(scanner.scan("call 4111-1111-1111-1111")).extracting(Finding::type).containsExactly(PiiTypes.CREDIT_CARD);
  }

  @Test
  @DisplayName("plain prose has no findings")
  void prose() {
    assertThat(scanner.scan("The quick brown fox jumps over the lazy dog at 10:30 on 2024-05-01, version 2.3.")).isEmpty();
  }
}
