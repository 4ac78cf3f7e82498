package io.ganglion.retrieval.impl;

import io.ganglion.inference.onnx.ModelSpec;
import io.ganglion.inference.onnx.TokenEncoder;
import io.ganglion.retrieval.ingest.TokenCounter;

import java.io.IOException;

/**
 * Counts tokens with the embedding model's own tokenizer, so chunks fit the model's window exactly as the model will
 * see them. Thread-safe (the tokenizer is immutable).
 */
public final class TokenizerCounter implements TokenCounter, AutoCloseable {

  /** Long enough that counting never truncates a piece the chunker asks about. */
  private static final int COUNTING_MAX_LENGTH = 1 << 20;

  private final TokenEncoder encoder;

  private TokenizerCounter(TokenEncoder encoder) {
    this.encoder = encoder;
  }

  public static TokenizerCounter of(ModelSpec model) throws IOException {
    return new TokenizerCounter(TokenEncoder.load(model.source(), COUNTING_MAX_LENGTH));
  }

  @Override
  public int count(CharSequence text, int start, int end) {
    if (start >= end) {
      return 0;
    }
    // minus [CLS] and [SEP]
    return Math.max(0, encoder.encode(text.subSequence(start, end).toString()).getIds().length - 2);
  }

  @Override
  public void close() {
    encoder.close();
  }
}
