package io.ganglion.retrieval.index;

/** The stored fields of a chunk that a hit shows: read from Lucene only for the final top k. */
public record StoredChunk(String documentId, String chunkId, String title, String text, int start, int end) {
}
