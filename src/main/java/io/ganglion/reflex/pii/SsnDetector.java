package io.ganglion.reflex.pii;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * US social security numbers written {@code AAA-GG-SSSS} (or with spaces), inside the ranges the SSA issues:
 * area not 000, 666 or 900-999, group not 00, serial not 0000. Bare nine-digit runs are not matched: without
 * the dashes they are indistinguishable from order numbers.
 */
public final class SsnDetector implements PiiDetector {

  private static final double SCORE = 0.85;
  private static final Pattern CANDIDATE =
    Pattern.compile("(?<![\\d-])(\\d{3})([- ])(\\d{2})\\2(\\d{4})(?![\\d]|-\\d)");

  private final boolean ranges;

  public SsnDetector() {
    this(true);
  }

  /** Without the issuance ranges, to measure what they buy (bench/RESULTS.md, PiiAblation). */
  SsnDetector(boolean ranges) {
    this.ranges = ranges;
  }

  @Override
  public void detect(String text, List<Finding> out) {
    if (!DigitCount.atLeast(text, 9)) {
      return;
    }
    Matcher m = CANDIDATE.matcher(text);
    while (m.find()) {
      if (!ranges || isIssuable(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)))) {
        out.add(new Finding(PiiTypes.SSN, m.start(), m.end(), SCORE));
      }
    }
  }

  /** True when area, group and serial lie in the ranges the SSA assigns. */
  public static boolean isIssuable(int area, int group, int serial) {
    return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
  }
}
