package io.ganglion.bench.ann;

import io.github.jbellis.jvector.vector.VectorizationProvider;

/**
 * Picks JVector's vectorization provider for a configuration, before any JVector class asks for one (the first ask
 * fixes it for the JVM). It lives apart from {@link AnnConfigs}, whose static configurations load JVector's classes:
 * when this choice was made from there, JVector had already chosen its native SIMD library, so every {@code +panama}
 * and {@code -batch} configuration measured before 2026-12-02 afternoon ran on the native provider, and the batched
 * walk scored one neighbour at a time through it (bench/RESULTS.md).
 */
final class AnnProvider {

  static final String PANAMA = "+panama";
  private static final String PROPERTY = "jvector.vectorization_provider";

  private AnnProvider() {
  }

  /**
   * JVector's Panama (Java Vector API) provider for a {@code +panama} or {@code -batch} configuration (batched
   * neighbour scoring reads the vectors as float arrays, as retrieval's index does), its default otherwise; fails if
   * JVector had chosen before this call.
   */
  static void choose(String name) {
    boolean panama = name.endsWith(PANAMA) || name.contains("-batch");
    if (panama) {
      System.setProperty(PROPERTY, "panama");
    }
    String chosen = VectorizationProvider.getInstance().getClass().getSimpleName();
    if (panama && !chosen.startsWith("Panama")) {
      throw new IllegalStateException(name + " needs JVector's Panama provider, but JVector runs on " + chosen);
    }
    System.err.println("PROVIDER " + name + " " + chosen);
  }
}
