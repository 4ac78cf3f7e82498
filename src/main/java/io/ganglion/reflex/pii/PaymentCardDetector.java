package io.ganglion.reflex.pii;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Payment card numbers: 12 to 19 digits, compact or grouped by one kind of separator (space, no-break space or dash),
 * whose first digits and length belong to a card network ({@link CardIssuers}) and whose last digit is the Luhn
 * check digit. Groups are as cards print them — every group but the last at least three digits — so a list of
 * small numbers never reads as a card. A number right after an identifier word ({@code order no.}, {@code Rechnung},
 * {@code pedido}…: {@link NumberContext}) is taken for the order or reference number it is said to be.
 * <p>
 * Measured on the evaluation set (bench/RESULTS.md): the issuer table and Luhn each cut false positives on order
 * numbers, timestamps and amounts; neither alone suffices (Luhn passes one random run in ten).
 */
public final class PaymentCardDetector implements PiiDetector {

  private static final double SCORE = 0.97;
  private static final Pattern CANDIDATE =
    Pattern.compile("(?<![\\d+-]|\\d[ \\u00A0\\u202F])\\d(?:[ \\u00A0\\u202F-]?\\d){11,18}(?![\\d-]|[ \\u00A0\\u202F]\\d)");

  private final boolean issuers;
  private final boolean luhn;

  public PaymentCardDetector() {
    this(true, true);
  }

  /** With checks left out, to measure what each buys (bench/RESULTS.md, PiiAblation). */
  PaymentCardDetector(boolean issuers, boolean luhn) {
    this.issuers = issuers;
    this.luhn = luhn;
  }

  @Override
  public void detect(String text, List<Finding> out) {
    if (!DigitCount.atLeast(text, 12)) {
      return;
    }
    Matcher m = CANDIDATE.matcher(text);
    while (m.find()) {
      if (isCardNumber(text, m.start(), m.end(), issuers, luhn) && !NumberContext.identifierWordBefore(text, m.start())) {
        out.add(new Finding(PiiTypes.CREDIT_CARD, m.start(), m.end(), SCORE));
      }
    }
  }

  static boolean isCardNumber(CharSequence s, int from, int to) {
    return isCardNumber(s, from, to, true, true);
  }

  private static boolean isCardNumber(CharSequence s, int from, int to, boolean issuers, boolean luhn) {
    char separator = 0;
    int n = 0;
    int group = 0;
    int[] digits = new int[19];
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        if (n == 19) {
          return false;
        }
        digits[n++] = c - '0';
        group++;
      } else if ((separator == 0 || c == separator) && group >= 3) {
        separator = c;
        group = 0;
      } else {
        return false;
      }
    }
    return n >= 12 && !allSame(digits, n) && (!issuers || CardIssuers.issues(digits, n))
      && (!luhn || Luhn.isValid(digits, n));
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
