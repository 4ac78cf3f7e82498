package io.ganglion.retrieval.index;

/** A chunk with its score in one ranking, before fusion. */
public record ScoredChunk(String chunkId, double score) {
}
