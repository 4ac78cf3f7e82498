package io.ganglion.orchestration.impl;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits passages into sentences with exact document offsets: lines first (headings and list items rarely end with a
 * full stop), then the JDK's sentence {@link BreakIterator} within each line; surrounding whitespace is trimmed off the
 * span. Fragments with fewer than {@value #MIN_WORDS} words (headings, bullets) are dropped: they make poor answers.
 */
final class SentenceSplitter {

  static final int MIN_WORDS = 3;

  private SentenceSplitter() {
  }

  static List<Sentence> split(int passageIndex, Passage passage) {
    List<Sentence> out = new ArrayList<>();
    String text = passage.text();
    int lineStart = 0;
    while (lineStart <= text.length()) {
      int nl = text.indexOf('\n', lineStart);
      int lineEnd = nl < 0 ? text.length() : nl;
      splitLine(passageIndex, passage, lineStart, lineEnd, out);
      if (nl < 0) {
        break;
      }
      lineStart = nl + 1;
    }
    return out;
  }

  private static void splitLine(int passageIndex, Passage passage, int from, int to, List<Sentence> out) {
    String text = passage.text();
    BreakIterator it = BreakIterator.getSentenceInstance(Locale.ROOT);
    it.setText(text.substring(from, to));
    int start = it.first();
    for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
      int s = from + start;
      int e = from + end;
      while (s < e && Character.isWhitespace(text.charAt(s))) {
        s++;
      }
      while (e > s && Character.isWhitespace(text.charAt(e - 1))) {
        e--;
      }
      String sentence = text.substring(s, e);
      if (Terms.words(sentence).size() >= MIN_WORDS) {
        out.add(new Sentence(passageIndex, sentence, passage.start() + s, passage.start() + e));
      }
    }
  }
}
