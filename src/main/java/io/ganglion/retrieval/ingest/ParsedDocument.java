package io.ganglion.retrieval.ingest;

import java.util.List;

/**
 * A document as plain text with its structure. {@code text} is the canonical text of the document: it is what
 * PostgreSQL stores, and chunk offsets and citations point into it. For plain text it is the input itself; for
 * Markdown, HTML and PDF it is the readable text the parser extracted, blocks separated by blank lines.
 *
 * @param title the document's own title (HTML {@code <title>}, PDF info, first Markdown heading), or {@code null}
 * @param text the canonical plain text
 * @param blocks headings and paragraphs in document order, as ranges of {@code text}
 */
public record ParsedDocument(String title, String text, List<TextBlock> blocks) {

  public ParsedDocument {
    blocks = List.copyOf(blocks);
    for (TextBlock b : blocks) {
      if (b.end() > text.length()) {
        throw new IllegalArgumentException("block ends past the text: " + b);
      }
    }
  }

  /** The text of one block. */
  public String textOf(TextBlock block) {
    return text.substring(block.start(), block.end());
  }
}
