package io.ganglion.retrieval.ingest;

/**
 * Counts the model tokens in a span of text, so chunks fit the embedding model's window. The inference component
 * supplies one backed by the model's real tokenizer; {@link ApproximateTokenCounter} stands in without a model.
 * <p>
 * Implementations must be thread-safe, and should be additive across whitespace: the count of {@code "a b"} is the
 * count of {@code "a"} plus the count of {@code "b"} (the chunker sums the counts of the pieces it packs).
 */
@FunctionalInterface
public interface TokenCounter {

  /** Tokens in {@code text[start, end)}, without special tokens such as {@code [CLS]}. */
  int count(CharSequence text, int start, int end);

  /** Tokens in the whole of {@code text}. */
  default int count(CharSequence text) {
    return count(text, 0, text.length());
  }
}
