package io.ganglion.retrieval.index;

import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;

/**
 * JVector's vector types, from the vectorization provider the index runs on: JVector's Panama provider (the Java
 * Vector API, {@code --add-modules jdk.incubator.vector}) unless {@code -Djvector.vectorization_provider} says
 * otherwise. JVector 4 would pick its native SIMD library where it loads; JVector's own walk searched at about the
 * same speed on either (1,955 and 1,845 QPS at beam 40, 100k x 384, one run), Panama built graphs 10-20% faster and
 * trained PQ codebooks up to 2.6x faster, and the index's own kernels ({@link BatchDot}, {@link ScalarCodes}) need
 * the array-backed vectors only Panama gives ({@code bench/RESULTS.md}).
 * <p>
 * <b>NOTE</b>: the provider is chosen once per JVM, by the first JVector class that asks: index classes take their
 * types from here so that this choice comes first.
 */
final class JVectorTypes {

  static final String PROVIDER = "jvector.vectorization_provider";
  static final VectorTypeSupport TYPES;

  static {
    if (System.getProperty(PROVIDER) == null) {
      System.setProperty(PROVIDER, "panama");
    }
    TYPES = VectorizationProvider.getInstance().getVectorTypeSupport();
  }

  private JVectorTypes() {
  }
}
