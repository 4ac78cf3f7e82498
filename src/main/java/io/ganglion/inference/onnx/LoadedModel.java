package io.ganglion.inference.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import java.util.List;

/**
 * A model ready to run: tokenizer and graph loaded, warmed up. Work is split in two so a batcher can tokenize each
 * input first (to sort and budget by real token counts) and run the graph once per batch.
 * <p>
 * <b>NOTE</b>: both methods are thread-safe and blocking; call them off the event loop.
 *
 * @param <I> one input (a text, a text pair)
 * @param <O> one output row
 */
public sealed interface LoadedModel<I, O> extends AutoCloseable permits TextEmbedder, PairScorer {

  ModelSpec spec();

  /** Tokenizes one input, truncated to {@link ModelSpec#maxLength()}. */
  Encoding encode(I input);

  /** Runs the graph over encodings padded to the longest; one output per encoding, in order. */
  default List<O> run(List<Encoding> encodings) throws Exception {
    return run(encodings, false);
  }

  /**
   * {@link #run}; with {@code beside}, on the graph's session kept for batches run beside another
   * ({@link ModelGraph#runBeside}).
   */
  List<O> run(List<Encoding> encodings, boolean beside) throws Exception;

  /** {@link #encode} then {@link #run}, for callers without a batcher (tests, warm-up, benchmarks). */
  default List<O> runAll(List<I> inputs) throws Exception {
    return run(inputs.stream().map(this::encode).toList());
  }

  @Override
  void close();
}
