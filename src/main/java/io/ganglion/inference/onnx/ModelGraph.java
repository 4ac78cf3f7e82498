package io.ganglion.inference.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import java.util.List;

/**
 * One loaded BERT-family graph: runs a batch of encodings (padded to the longest, masked) and returns its first output.
 * <p>
 * <b>NOTE</b>: {@link #run} is thread-safe and blocking; concurrent runs share the session's intra-op threads.
 */
public interface ModelGraph extends AutoCloseable {

  /**
   * The graph's first output, flattened, with its shape ({@code [rows, seq, dims]} or {@code [rows, labels]}), and
   * the padded batch it was computed over (for the mask).
   */
  record Output(float[] values, long[] shape, EncodedBatch batch) {
  }

  /** Runs one batch: {@code encodings} padded to the longest. */
  Output run(List<Encoding> encodings) throws Exception;

  /**
   * Runs one batch beside another batch of this graph: on the session kept for that ({@code inference.besideThreads}
   * intra-op threads) when the graph has one, otherwise as {@link #run}.
   */
  default Output runBeside(List<Encoding> encodings) throws Exception {
    return run(encodings);
  }

  @Override
  void close();
}
