package io.ganglion.retrieval.ingest;

/** A span of text the chunker packs whole: a paragraph, a sentence or a run of words, with its token count. */
record Piece(int start, int end, int tokens) {
}
