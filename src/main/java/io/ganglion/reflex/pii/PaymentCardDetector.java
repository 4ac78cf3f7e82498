package io.ganglion.reflex.pii;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Payment card numbers: 13 to 19 digits, optionally grouped by spaces or dashes (one kind of separator), with a
 * known issuer prefix and a valid Luhn check digit. The prefix check and the single-separator rule cut most of the
 * one-in-ten false positives that Luhn alone lets through on random digit strings.
 */
public final class PaymentCardDetector implements PiiDetector {

  private static final double SCORE = 0.97;
  private static final Pattern CANDIDATE = Pattern.compile("(?<![\\d-])\\d(?:[ -]?\\d){12,18}(?![\\d-]|[ ]\\d)");

  @Override
  public void detect(String text, List<Finding> out) {
    if (!DigitCount.atLeast(text, 13)) {
      return;
    }
    Matcher m = CANDIDATE.matcher(text);
    while (m.find()) {
      if (isCardNumber(text, m.start(), m.end())) {
        out.add(new Finding(PiiTypes.CREDIT_CARD, m.start(), m.end(), SCORE));
      }
    }
  }

  static boolean isCardNumber(CharSequence s, int from, int to) {
    char separator = 0;
    int n = 0;
    int[] digits = new int[19];
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        if (n == 19) {
          return false;
        }
        digits[n++] = c - '0';
      } else if (separator == 0) {
        separator = c;
      } else if (c != separator) {
        return false;
      }
    }
    return n >= 13 && !allSame(digits, n) && hasIssuerPrefix(digits, n) && Luhn.isValid(digits, n);
  }

  private static boolean hasIssuerPrefix(int[] d, int n) {
    int two = d[0] * 10 + d[1];
    int four = two * 100 + d[2] * 10 + d[3];
    return switch (d[0]) {
      case 4 -> n == 13 || n == 16 || n == 19;                                // Visa
      case 5 -> (two >= 51 && two <= 55 && n == 16) || two == 50 || two >= 56; // Mastercard, Maestro
      case 2 -> four >= 2221 && four <= 2720 && n == 16;                      // Mastercard 2-series
      case 3 -> ((two == 34 || two == 37) && n == 15)                         // Amex
        || (two == 35 && n >= 16)                                             // JCB
        || ((two == 36 || two == 38 || two == 30) && n >= 14);                // Diners
      case 6 -> n >= 16;                                                      // Discover, UnionPay, Maestro
      default -> false;
    };
  }

  private static boolean allSame(int[] d, int n) {
    for (int i = 1; i < n; i++) {
      if (d[i] != d[0]) {
        return false;
      }
    }
    return true;
  }
}
