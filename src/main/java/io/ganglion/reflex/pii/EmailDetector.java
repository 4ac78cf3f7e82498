package io.ganglion.reflex.pii;

import java.util.List;

/**
 * Email addresses ({@code local@domain.tld}). Anchors on {@code '@'} and grows outwards, so text without an at-sign
 * costs one {@code indexOf}; trailing sentence punctuation is not part of the address.
 */
public final class EmailDetector implements PiiDetector {

  private static final double SCORE = 0.95;

  @Override
  public void detect(String text, List<Finding> out) {
    int at = text.indexOf('@');
    while (at >= 0) {
      int end = at;
      int start = localStart(text, at);
      if (start < at) {
        end = domainEnd(text, at + 1);
        if (end > at + 1 && isDomain(text, at + 1, end)) {
          out.add(new Finding(PiiTypes.EMAIL, start, end, SCORE));
        } else {
          end = at;
        }
      }
      at = text.indexOf('@', Math.max(end, at + 1));
    }
  }

  private static int localStart(String text, int at) {
    int start = at;
    while (start > 0 && isLocalChar(text.charAt(start - 1))) {
      start--;
    }
    // a local part does not start with a dot ("see.a@b.c" is fine, ".a@b.c" starts at 'a')
    while (start < at && text.charAt(start) == '.') {
      start++;
    }
    return start;
  }

  private static int domainEnd(String text, int from) {
    int end = from;
    while (end < text.length() && isDomainChar(text.charAt(end))) {
      end++;
    }
    // "mail a@b.com." ends the sentence, not the domain
    while (end > from && (text.charAt(end - 1) == '.' || text.charAt(end - 1) == '-')) {
      end--;
    }
    return end;
  }

  /** Dot-separated labels, none empty or dash-bounded, ending in an alphabetic TLD of two or more letters. */
  private static boolean isDomain(String text, int from, int to) {
    int lastDot = text.lastIndexOf('.', to - 1);
    if (lastDot < from + 1 || to - lastDot - 1 < 2) {
      return false;
    }
    for (int i = lastDot + 1; i < to; i++) {
      if (!isAsciiLetter(text.charAt(i))) {
        return false;
      }
    }
    int labelStart = from;
    for (int i = from; i <= to; i++) {
      if (i == to || text.charAt(i) == '.') {
        if (i == labelStart || text.charAt(labelStart) == '-' || text.charAt(i - 1) == '-') {
          return false;
        }
        labelStart = i + 1;
      }
    }
    return true;
  }

  private static boolean isLocalChar(char c) {
    return isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
  }

  private static boolean isDomainChar(char c) {
    return isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
}
