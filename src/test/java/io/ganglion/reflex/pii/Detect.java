package io.ganglion.reflex.pii;

import java.util.ArrayList;
import java.util.List;

/** Runs one detector and returns what it found, as {@code type:matched text}, for readable assertions. */
final class Detect {

  private Detect() {
  }

  static List<Finding> findings(PiiDetector detector, String text) {
    List<Finding> out = new ArrayList<>();
    detector.detect(text, out);
    return out;
  }

  static List<String> matches(PiiDetector detector, String text) {
    return findings(detector, text).stream().map(f -> text.substring(f.start(), f.end())).toList();
  }
}
