package io.ganglion.inference.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import java.util.List;

/**
 * Encodings padded to the longest in the batch, as flattened {@code [rows, seq]} arrays ready for ONNX tensors:
 * token ids, attention mask (1 for real tokens, 0 for padding) and token type ids.
 */
public record EncodedBatch(int rows, int seq, long[] ids, long[] mask, long[] types) {

  /** Pads {@code encodings} with id 0 (the pad id of every BERT vocabulary), masked out. */
  public static EncodedBatch of(List<Encoding> encodings) {
    int rows = encodings.size();
    int seq = 1;
    for (Encoding e : encodings) {
      seq = Math.max(seq, e.getIds().length);
    }
    long[] ids = new long[rows * seq];
    long[] mask = new long[rows * seq];
    long[] types = new long[rows * seq];
    for (int r = 0; r < rows; r++) {
      Encoding e = encodings.get(r);
      int n = e.getIds().length;
      System.arraycopy(e.getIds(), 0, ids, r * seq, n);
      System.arraycopy(e.getAttentionMask(), 0, mask, r * seq, n);
      System.arraycopy(e.getTypeIds(), 0, types, r * seq, n);
    }
    return new EncodedBatch(rows, seq, ids, mask, types);
  }

  /** The padded token count, {@code rows * seq}: what the graph computes over. */
  public int paddedTokens() {
    return rows * seq;
  }
}
