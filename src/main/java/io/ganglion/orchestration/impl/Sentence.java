package io.ganglion.orchestration.impl;

/**
 * A sentence of a passage, with offsets into the passage's document, so a citation's quote is exactly
 * {@code document[start, end)}.
 *
 * @param passage index of its passage in the context (0-based)
 */
record Sentence(int passage, String text, int start, int end) {
}
