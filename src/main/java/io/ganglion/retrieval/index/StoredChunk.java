package io.ganglion.retrieval.index;

/**
 * The stored fields of a chunk that a hit shows: read from Lucene only for the final top k.
 *
 * @param injection the indirect-injection verdict recorded at ingestion (JSON text), or {@code null}
 */
public record StoredChunk(String documentId, String chunkId, String title, String text, int start, int end,
                          String injection) {

  /** A chunk without a recorded injection verdict. */
  public StoredChunk(String documentId, String chunkId, String title, String text, int start, int end) {
    this(documentId, chunkId, title, text, start, end, null);
  }
}
