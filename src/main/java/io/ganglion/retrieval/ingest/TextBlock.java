package io.ganglion.retrieval.ingest;

/**
 * One block of a {@link ParsedDocument}: a heading or a paragraph, as the range {@code [start, end)} of the
 * document's text.
 *
 * @param kind heading or paragraph
 * @param level heading level, 1 (top) to 6; 0 for paragraphs
 * @param start first character, inclusive
 * @param end last character, exclusive
 */
public record TextBlock(Kind kind, int level, int start, int end) {

  /** What a block is. */
  public enum Kind { HEADING, PARAGRAPH }

  public TextBlock {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad block range [" + start + ", " + end + ")");
    }
  }
}
