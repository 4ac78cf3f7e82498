package io.ganglion.retrieval.index;

import java.util.Map;
import java.util.Objects;

/**
 * One chunk as the index stores it, and as PostgreSQL hands it back for a rebuild (never re-embedded).
 *
 * @param documentId the document the chunk belongs to; decides the chunk's shard
 * @param chunkId unique within the knowledge base
 * @param title the document title, shown with citations; may be {@code null}
 * @param text the citation text, exactly {@code documentText.substring(start, end)}
 * @param indexedText what keyword search matches: title and heading path, then the text
 *     ({@link io.ganglion.retrieval.ingest.Chunk#indexedText}); {@code text} when {@code null}
 * @param start first character of the chunk in the document text
 * @param end last character, exclusive
 * @param metadata the document's filterable {@code key -> value} pairs
 * @param vector the embedding of {@code indexedText}; any length, the same for every chunk of a knowledge base
 */
public record ChunkRecord(
  String documentId,
  String chunkId,
  String title,
  String text,
  String indexedText,
  int start,
  int end,
  Map<String, String> metadata,
  float[] vector) {

  public ChunkRecord {
    Objects.requireNonNull(documentId, "documentId");
    Objects.requireNonNull(chunkId, "chunkId");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(vector, "vector");
    indexedText = indexedText == null ? text : indexedText;
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }
}
