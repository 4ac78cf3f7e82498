package io.ganglion.retrieval.index;

import java.util.Locale;

/** Which rankings a search runs. */
public enum SearchMode {
  /** BM25 over the analysed and the exact-term fields. Needs query text. */
  KEYWORD,
  /** Approximate nearest neighbours on the JVector graph. Needs a query vector. */
  VECTOR,
  /** Both, merged by the configured {@link Fusion}. Needs text and vector. */
  HYBRID;

  /** Parses {@code keyword | vector | hybrid}, any case. */
  public static SearchMode parse(String mode) {
    try {
      return valueOf(mode.strip().toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("mode must be keyword, vector or hybrid, got \"" + mode + "\"");
    }
  }
}
