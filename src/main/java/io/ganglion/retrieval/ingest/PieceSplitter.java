package io.ganglion.retrieval.ingest;

import java.text.BreakIterator;
import java.util.List;
import java.util.Locale;

/**
 * Cuts one paragraph into pieces of at most {@code maxTokens}: the paragraph itself when it fits, else its sentences,
 * and a sentence that does not fit into runs of whole words (a single word longer than a chunk, such as a base64 blob,
 * is cut by characters). Pieces are trimmed of surrounding whitespace. Not thread-safe: one per call.
 */
final class PieceSplitter {

  private final String text;
  private final TokenCounter tokens;
  private final int maxTokens;

  PieceSplitter(String text, TokenCounter tokens, int maxTokens) {
    this.text = text;
    this.tokens = tokens;
    this.maxTokens = maxTokens;
  }

  void split(int start, int end, List<Piece> out) {
    int n = tokens.count(text, start, end);
    if (n <= maxTokens) {
      add(start, end, n, out);
      return;
    }
    BreakIterator sentences = BreakIterator.getSentenceInstance(Locale.ROOT);
    sentences.setText(text.substring(start, end));
    int from = 0;
    for (int to = sentences.next(); to != BreakIterator.DONE; from = to, to = sentences.next()) {
      int s = start + from;
      int e = start + to;
      int count = tokens.count(text, s, e);
      if (count <= maxTokens) {
        add(s, e, count, out);
      } else {
        words(s, e, out);
      }
    }
  }

  private void words(int start, int end, List<Piece> out) {
    int runStart = -1;
    int runEnd = -1;
    int runTokens = 0;
    int i = start;
    while (i < end) {
      while (i < end && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      int w = i;
      while (i < end && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (w == i) {
        break;
      }
      int t = tokens.count(text, w, i);
      if (runStart >= 0 && runTokens + t > maxTokens) {
        add(runStart, runEnd, runTokens, out);
        runStart = -1;
        runTokens = 0;
      }
      if (t > maxTokens) {
        characters(w, i, t, out);
        continue;
      }
      if (runStart < 0) {
        runStart = w;
      }
      runEnd = i;
      runTokens += t;
    }
    if (runStart >= 0) {
      add(runStart, runEnd, runTokens, out);
    }
  }

  private void characters(int start, int end, int count, List<Piece> out) {
    int step = Math.max(1, (int) ((long) (end - start) * maxTokens / count));
    for (int s = start; s < end; ) {
      int e = Math.min(end, s + step);
      if (e < end && Character.isHighSurrogate(text.charAt(e - 1))) {
        e++;
      }
      int t = tokens.count(text, s, e);
      while (t > maxTokens && e - s > 1) {
        e = s + (e - s) / 2;
        t = tokens.count(text, s, e);
      }
      out.add(new Piece(s, e, t));
      s = e;
    }
  }

  private void add(int start, int end, int count, List<Piece> out) {
    while (start < end && Character.isWhitespace(text.charAt(start))) {
      start++;
    }
    while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    if (end > start) {
      out.add(new Piece(start, end, count));
    }
  }
}
