package io.ganglion.inference.onnx;

import java.util.Locale;

/** How token states {@code [rows, seq, dims]} become one vector per row. */
public enum Pooling {
  /** The first token's state ({@code [CLS]}): bge. */
  CLS,
  /** The mean of the states of real (unmasked) tokens: MiniLM, e5. */
  MEAN;

  /** Parses {@code cls} or {@code mean}. */
  public static Pooling parse(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "cls" -> CLS;
      case "mean" -> MEAN;
      default -> throw new IllegalArgumentException("must be cls or mean, got " + value);
    };
  }

  /**
   * Pools one row of a flattened {@code [rows, seq, dims]} tensor.
   *
   * @param states the flattened token states
   * @param row the row to pool
   * @param seq the padded sequence length of the batch
   * @param dims the hidden size
   * @param mask the flattened {@code [rows, seq]} attention mask (1 for real tokens)
   */
  public float[] pool(float[] states, int row, int seq, int dims, long[] mask) {
    float[] out = new float[dims];
    int rowStart = row * seq * dims;
    if (this == CLS) {
      System.arraycopy(states, rowStart, out, 0, dims);
      return out;
    }
    int real = 0;
    for (int t = 0; t < seq; t++) {
      if (mask[row * seq + t] == 0) {
        continue;
      }
      real++;
      int at = rowStart + t * dims;
      for (int d = 0; d < dims; d++) {
        out[d] += states[at + d];
      }
    }
    if (real > 0) {
      for (int d = 0; d < dims; d++) {
        out[d] /= real;
      }
    }
    return out;
  }

  /** Scales {@code v} to unit length in place (a zero vector stays zero) and returns it. */
  public static float[] normalize(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += x * x;
    }
    if (sum > 0) {
      float inv = (float) (1 / Math.sqrt(sum));
      for (int i = 0; i < v.length; i++) {
        v[i] *= inv;
      }
    }
    return v;
  }
}
