package io.ganglion.inference.onnx;

import java.util.Locale;

/** What a model's graph produces, and so which runner loads it. */
public enum ModelKind {
  /** One vector per text, pooled from the token states and L2-normalised: {@link TextEmbedder}. */
  EMBEDDING,
  /** A relevance score per (query, passage) pair: {@link PairScorer}. */
  RERANKER,
  /** Label logits per text or text pair: {@link PairScorer}. */
  CLASSIFIER;

  /** Parses {@code embedding}, {@code reranker} or {@code classifier}. */
  public static ModelKind parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("must be embedding, reranker or classifier, got " + value);
    }
  }
}
