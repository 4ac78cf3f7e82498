package io.ganglion.retrieval.ingest;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a chunk's text into the sentences an extractive answer may quote, with exact offsets: lines first (headings
 * and list items rarely end with a full stop), then the JDK's sentence {@link BreakIterator} within each line;
 * surrounding whitespace is trimmed off the span. Fragments with fewer than {@value #MIN_WORDS} words (headings,
 * bullets) are dropped: they make poor answers.
 * <p>
 * One home for the split, because two parts must agree on it: ingestion embeds these sentences and stores their
 * vectors with the chunk, and the extractive generator looks the stored vectors up by the same offsets (a sentence it
 * cannot find is embedded on the spot, so a disagreement costs time, never a wrong answer).
 */
public final class SentenceSpans {

  /** Fewest words (runs of letters or digits) a kept sentence has. */
  public static final int MIN_WORDS = 3;

  /** One sentence: {@code text} is {@code chunkText[start - offset, end - offset)}, offsets into the document. */
  public record Span(String text, int start, int end) {
  }

  private SentenceSpans() {
  }

  /**
   * The sentences of {@code text}, in reading order.
   *
   * @param offset where {@code text} starts in its document; added to every span's offsets
   */
  public static List<Span> split(String text, int offset) {
    List<Span> out = new ArrayList<>();
    int lineStart = 0;
    while (lineStart <= text.length()) {
      int nl = text.indexOf('\n', lineStart);
      int lineEnd = nl < 0 ? text.length() : nl;
      splitLine(text, offset, lineStart, lineEnd, out);
      if (nl < 0) {
        break;
      }
      lineStart = nl + 1;
    }
    return out;
  }

  private static void splitLine(String text, int offset, int from, int to, List<Span> out) {
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
      if (words(sentence) >= MIN_WORDS) {
        out.add(new Span(sentence, offset + s, offset + e));
      }
    }
  }

  private static int words(String text) {
    int words = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      boolean letter = Character.isLetterOrDigit(cp);
      if (letter && !inWord) {
        words++;
      }
      inWord = letter;
    }
    return words;
  }
}
