package io.ganglion.retrieval.index;

import java.util.Map;

/**
 * One search over a knowledge base.
 *
 * @param text the user's words, for keyword search; may be {@code null} in vector mode
 * @param vector the embedding of {@code text}, for vector search; may be {@code null} in keyword mode
 * @param mode which rankings to run
 * @param topK how many hits to return
 * @param keywordCandidates how many hits the keyword ranking contributes before fusion; at least {@code topK}
 * @param vectorCandidates how many hits the vector ranking contributes before fusion; at least {@code topK}
 * @param filters metadata pairs every hit must carry; applied inside each ranking's candidate search
 * @param byDocument rank documents, not chunks: in each ranking a document scores as its best chunk, the documents'
 *     rankings are fused, and hits come document by document (each document's chunks in their own fused order), all
 *     with their document's fused score; with {@code false} chunks are fused one by one
 * @param scoring how the keyword ranking scores
 */
public record SearchQuery(String text, float[] vector, SearchMode mode, int topK, int keywordCandidates,
                          int vectorCandidates, Map<String, String> filters, boolean byDocument,
                          KeywordScoring scoring) {

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
    scoring = scoring == null ? KeywordScoring.DEFAULT : scoring;
    keywordCandidates = Math.max(keywordCandidates, topK);
    vectorCandidates = Math.max(vectorCandidates, topK);
    filters = filters == null ? Map.of() : Map.copyOf(filters);
  }

  /** Chunks fused one by one, the same candidate depth for both rankings, {@link KeywordScoring#DEFAULT}. */
  public SearchQuery(String text, float[] vector, SearchMode mode, int topK, int candidates,
                     Map<String, String> filters) {
    this(text, vector, mode, topK, candidates, candidates, filters, false, KeywordScoring.DEFAULT);
  }

  /** A query with no filters and {@code candidates = max(topK, 100)}. */
  public static SearchQuery of(String text, float[] vector, SearchMode mode, int topK) {
    return new SearchQuery(text, vector, mode, topK, Math.max(topK, 100), Map.of());
  }

  /** The deeper of the two rankings' candidate depths. */
  public int candidates() {
    return Math.max(keywordCandidates, vectorCandidates);
  }
}
