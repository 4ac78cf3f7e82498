package io.ganglion.reflex.pii;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Phone numbers: international ({@code +} and a country code, E.164 compact or grouped, an optional
 * {@code (0)} or area code in parentheses), national numbers with a trunk {@code 0} and separators
 * ({@code 030 1234 5678}, {@code 0171-1234567}), area codes in parentheses ({@code (555) 123-4567}) and NANP
 * {@code 555-123-4567}.
 * <p>
 * Bare digit runs without {@code +} or separators are not matched, nor are dates ({@code 2024-01-15},
 * {@code 01.02.2024}): they are far more often IDs, amounts and timestamps than phone numbers.
 */
public final class PhoneDetector implements PiiDetector {

  private static final double INTERNATIONAL_SCORE = 0.9;
  private static final double NATIONAL_SCORE = 0.75;

  // separators are mandatory between repeated groups so the regex never has to guess where a group ends
  private static final Pattern CANDIDATE = Pattern.compile(
    "(?<![\\w+.-])(?:"
      + "(\\+\\d{1,3}(?:[ .-]?\\(\\d{1,4}\\))?[ .-]?\\d{1,14}(?:[ .-]\\d{1,10}){0,5})"
      + "|(\\(\\d{2,5}\\)[ .-]?\\d{2,8}(?:[ .-]\\d{2,8}){0,3})"
      + "|(0\\d{2,5}(?:[ /.-]\\d{2,8}){1,3})"
      + "|([2-9]\\d{2}([.-])\\d{3}\\5\\d{4})"
      + ")(?![\\w]|[.-]\\d)");
  private static final Pattern DATE = Pattern.compile("\\d{1,4}([./-])\\d{1,2}\\1\\d{1,4}");

  @Override
  public void detect(String text, List<Finding> out) {
    if (!DigitCount.atLeast(text, 8)) {
      return;
    }
    Matcher m = CANDIDATE.matcher(text);
    while (m.find()) {
      boolean international = m.start(1) >= 0;
      int digits = countDigits(text, m.start(), m.end());
      boolean plausible = international ? digits >= 8 && digits <= 15 : digits >= 9 && digits <= 12;
      if (plausible && !DATE.matcher(text).region(m.start(), m.end()).matches()) {
        out.add(new Finding(PiiTypes.PHONE, m.start(), m.end(), international ? INTERNATIONAL_SCORE : NATIONAL_SCORE));
      }
    }
  }

  private static int countDigits(String s, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        n++;
      }
    }
    return n;
  }
}
