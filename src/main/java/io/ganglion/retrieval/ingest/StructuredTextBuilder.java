package io.ganglion.retrieval.ingest;

import java.util.ArrayList;
import java.util.List;

/**
 * Assembles the canonical text of a parsed document block by block, recording each block's range. Whitespace inside
 * a paragraph collapses to single spaces (line breaks survive only in preformatted blocks); blocks are separated by a
 * blank line. Not thread-safe: one builder per parse.
 */
final class StructuredTextBuilder {

  private final StringBuilder text = new StringBuilder();
  private final List<TextBlock> blocks = new ArrayList<>();
  private String firstHeading;

  void heading(int level, String content) {
    String clean = collapse(content);
    if (clean.isEmpty()) {
      return;
    }
    if (firstHeading == null) {
      firstHeading = clean;
    }
    append(TextBlock.Kind.HEADING, Math.max(1, Math.min(6, level)), clean);
  }

  void paragraph(String content) {
    String clean = collapse(content);
    if (!clean.isEmpty()) {
      append(TextBlock.Kind.PARAGRAPH, 0, clean);
    }
  }

  /** A block whose line breaks matter (code, preformatted text): only trailing spaces and blank edges go. */
  void preformatted(String content) {
    String clean = content.replace("\r\n", "\n").replaceAll("[ \\t]+\n", "\n").strip();
    if (!clean.isEmpty()) {
      append(TextBlock.Kind.PARAGRAPH, 0, clean);
    }
  }

  String firstHeading() {
    return firstHeading;
  }

  ParsedDocument build(String title) throws MalformedDocumentException {
    if (blocks.isEmpty()) {
      throw new MalformedDocumentException("the document contains no text");
    }
    return new ParsedDocument(title, text.toString(), blocks);
  }

  private void append(TextBlock.Kind kind, int level, String clean) {
    if (!text.isEmpty()) {
      text.append("\n\n");
    }
    int start = text.length();
    text.append(clean);
    blocks.add(new TextBlock(kind, level, start, text.length()));
  }

  private static String collapse(String s) {
    return s == null ? "" : s.replaceAll("[\\s\\u00A0]+", " ").strip();
  }
}
