package io.ganglion.reflex.pii;

/**
 * A cheap pre-check shared by the digit-based detectors: prose without enough digits skips their regexes.
 */
final class DigitCount {

  private DigitCount() {
  }

  static boolean atLeast(String text, int wanted) {
    int seen = 0;
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9' && ++seen >= wanted) {
        return true;
      }
    }
    return false;
  }
}
