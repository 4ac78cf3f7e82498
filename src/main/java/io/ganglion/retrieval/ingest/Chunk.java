package io.ganglion.retrieval.ingest;

import java.util.List;

/**
 * A passage of a document, small enough for the embedding model.
 *
 * @param index position of the chunk within its document, from 0
 * @param start first character in the document's canonical text, inclusive
 * @param end last character, exclusive: {@code documentText.substring(start, end).equals(text)}
 * @param text the passage exactly as in the document; this is what citations show
 * @param headingPath the headings the passage sits under, outermost first; empty when none
 * @param tokens the passage's token count by the chunker's {@link TokenCounter}
 */
public record Chunk(int index, int start, int end, String text, List<String> headingPath, int tokens) {

  public Chunk {
    headingPath = List.copyOf(headingPath);
  }

  /**
   * The text to embed and to index for keyword search: title and heading path first, so a passage is found by
   * the section it belongs to, then the passage. Never shown to users.
   */
  public String indexedText(String title) {
    StringBuilder sb = new StringBuilder();
    if (title != null && !title.isBlank()) {
      sb.append(title.strip()).append('\n');
    }
    if (!headingPath.isEmpty()) {
      // the first heading is often the title itself: do not repeat it
      List<String> path = title != null && headingPath.getFirst().equals(title.strip())
        ? headingPath.subList(1, headingPath.size()) : headingPath;
      if (!path.isEmpty()) {
        sb.append(String.join(" > ", path)).append('\n');
      }
    }
    return sb.append(text).toString();
  }
}
