package io.ganglion.inference.onnx;

/**
 * One text's embedding.
 *
 * @param vector the L2-normalised vector
 * @param tokens the tokens the model saw, special tokens included
 * @param truncated whether the text was cut to the model's max length
 */
public record Embedding(float[] vector, int tokens, boolean truncated) {

  /** The cosine similarity of two normalised vectors: their dot product. */
  public static double cosine(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return dot;
  }
}
