package io.ganglion.inference.onnx;

/** How the embedding tests compare vectors. */
public final class Similarity {

  private Similarity() {
  }

  /** The cosine similarity of two L2-normalised vectors: their dot product. */
  public static double cosine(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return dot;
  }
}
