package io.ganglion.retrieval.index;

import java.util.Map;

/**
 * One search over a knowledge base.
 *
 * @param text the user's words, for keyword search; may be {@code null} in vector mode
 * @param vector the embedding of {@code text}, for vector search; may be {@code null} in keyword mode
 * @param mode which rankings to run
 * @param topK how many hits to return
 * @param candidates how many hits each ranking contributes before fusion; at least {@code topK}
 * @param filters metadata pairs every hit must carry; applied inside each ranking's candidate search
 */
public record SearchQuery(String text, float[] vector, SearchMode mode, int topK, int candidates,
                          Map<String, String> filters) {

  public SearchQuery {
    if (mode == null) {
      throw new IllegalArgumentException("mode is required");
    }
    if (mode != SearchMode.VECTOR && (text == null || text.isBlank())) {
      throw new IllegalArgumentException(mode.name().toLowerCase() + " search needs query text");
    }
    if (mode != SearchMode.KEYWORD && vector == null) {
      throw new IllegalArgumentException(mode.name().toLowerCase() + " search needs a query vector");
    }
    if (topK < 1) {
      throw new IllegalArgumentException("topK must be at least 1, got " + topK);
    }
    candidates = Math.max(candidates, topK);
    filters = filters == null ? Map.of() : Map.copyOf(filters);
  }

  /** A query with no filters and {@code candidates = max(topK, 100)}. */
  public static SearchQuery of(String text, float[] vector, SearchMode mode, int topK) {
    return new SearchQuery(text, vector, mode, topK, Math.max(topK, 100), Map.of());
  }
}
