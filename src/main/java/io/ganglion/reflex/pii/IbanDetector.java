package io.ganglion.reflex.pii;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * International bank account numbers: a country code, two check digits and the country's BBAN as the SWIFT registry
 * defines it ({@link IbanRegistry}: length and the place of digits and letters), in any letter case, written compact
 * or in groups separated by single spaces (also no-break spaces) or dashes, with a valid ISO 7064 mod-97 checksum.
 * <p>
 * The checksum and the structure are what keep this precise: together they leave about one random letter-digit run
 * of the right length in several thousand.
 */
public final class IbanDetector implements PiiDetector {

  private static final double SCORE = 0.97;
  private static final Pattern ANCHOR = Pattern.compile("(?<![A-Za-z0-9])[A-Za-z]{2}\\d{2}");

  private final boolean structure;
  private final boolean checksum;

  public IbanDetector() {
    this(true, true);
  }

  /** With checks left out, to measure what each buys (bench/RESULTS.md, PiiAblation). */
  IbanDetector(boolean structure, boolean checksum) {
    this.structure = structure;
    this.checksum = checksum;
  }

  @Override
  public void detect(String text, List<Finding> out) {
    if (!DigitCount.atLeast(text, 8)) {
      return;
    }
    Matcher m = ANCHOR.matcher(text);
    int from = 0;
    while (from < text.length() && m.find(from)) {
      int end = ibanEnd(text, m.start(), structure, checksum);
      if (end > 0) {
        out.add(new Finding(PiiTypes.IBAN, m.start(), end, SCORE));
        from = end;
      } else {
        from = m.start() + 1;
      }
    }
  }

  /** The end of a valid IBAN starting at {@code start}, or -1. */
  static int ibanEnd(String text, int start) {
    return ibanEnd(text, start, true, true);
  }

  private static int ibanEnd(String text, int start, boolean structure, boolean checksum) {
    int length = IbanRegistry.length(text.charAt(start), text.charAt(start + 1));
    if (length == 0) {
      return -1;
    }
    char[] iban = new char[length];
    int n = 0;
    int i = start;
    char separator = 0;
    while (n < length && i < text.length()) {
      char c = text.charAt(i);
      if (isAlnum(c)) {
        iban[n++] = Character.toUpperCase(c);
        i++;
      } else if (isSeparator(c) && n >= 4 && (separator == 0 || separator == c)
        && i + 1 < text.length() && isAlnum(text.charAt(i + 1))) {
        separator = c;
        i++;
      } else {
        break;
      }
    }
    if (n < length || (i < text.length() && isAlnum(text.charAt(i)))) {
      return -1;
    }
    return (!structure || IbanRegistry.hasStructure(iban)) && (!checksum || hasValidChecksum(iban)) ? i : -1;
  }

  /** ISO 7064 mod 97-10: the first four characters moved to the end, letters as 10..35, remainder 1. */
  static boolean hasValidChecksum(char[] iban) {
    int remainder = 0;
    for (int k = 0; k < iban.length; k++) {
      char c = iban[(k + 4) % iban.length];
      if (c >= '0' && c <= '9') {
        remainder = (remainder * 10 + (c - '0')) % 97;
      } else if (c >= 'A' && c <= 'Z') {
        remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
      } else {
        return false;
      }
    }
    return remainder == 1;
  }

  private static boolean isSeparator(char c) {
    return c == ' ' || c == '\u00A0' || c == '\u202F' || c == '-';
  }

  private static boolean isAlnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }
}
