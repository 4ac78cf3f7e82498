package io.ganglion.retrieval.index;

import io.ganglion.retrieval.ingest.Chunk;
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
 * @param injection the indirect-injection verdict recorded at ingestion, as JSON text, or {@code null} when none was
 *     recorded; stored as it is and handed back with the chunk's hits
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
  float[] vector,
  String injection) {

  /** A chunk without a recorded injection verdict. */
  public ChunkRecord(String documentId, String chunkId, String title, String text, String indexedText, int start,
                     int end, Map<String, String> metadata, float[] vector) {
    this(documentId, chunkId, title, text, indexedText, start, end, metadata, vector, null);
  }

  public ChunkRecord {
    Objects.requireNonNull(documentId, "documentId");
    Objects.requireNonNull(chunkId, "chunkId");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(vector, "vector");
    indexedText = indexedText == null ? text : indexedText;
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /**
   * The title and heading path that {@code indexedText} puts before the text (empty when it adds none): what keyword
   * search matches in the heading field.
   */
  public String heading() {
    if (indexedText.length() > text.length() && indexedText.endsWith(text)) {
      return indexedText.substring(0, indexedText.length() - text.length()).strip();
    }
    return title == null ? "" : title;
  }

  /**
   * The record of a freshly cut chunk: id {@code <documentId>#<chunk index>}, indexed text with title and heading
   * path, citation text and offsets from the chunk.
   *
   * @param vector the embedding of {@code chunk.indexedText(title)}
   */
  /** The document of a chunk id made by {@link #of}: {@code <documentId>#<chunk index>}. */
  public static String documentOf(String chunkId) {
    int hash = chunkId.lastIndexOf('#');
    return hash < 0 ? chunkId : chunkId.substring(0, hash);
  }

  public static ChunkRecord of(String documentId, String title, Chunk chunk, Map<String, String> metadata,
                               float[] vector) {
    return new ChunkRecord(documentId, documentId + "#" + chunk.index(), title, chunk.text(),
      chunk.indexedText(title), chunk.start(), chunk.end(), metadata, vector);
  }
}
