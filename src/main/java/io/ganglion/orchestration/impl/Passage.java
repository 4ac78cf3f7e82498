package io.ganglion.orchestration.impl;

import io.vertx.core.json.JsonObject;

/**
 * One retrieved chunk as the pipeline uses it.
 *
 * @param text  the chunk text, equal to {@code document[start, end)}
 * @param start offset of the chunk in its document (characters)
 * @param end   end offset of the chunk in its document
 * @param score retrieval (or rerank) score; higher is better
 * @param keywordScore the chunk's BM25 score, {@code null} when the keyword ranking did not return it
 * @param vectorScore the chunk's cosine with the query, {@code null} when the vector ranking did not return it
 * @param injection the indirect-injection verdict recorded when the chunk was ingested, or {@code null} (the ask
 *     inspects the passage itself)
 */
public record Passage(String documentId, String chunkId, String title, String text, int start, int end, double score,
                      Double keywordScore, Double vectorScore, JsonObject injection) {

  /** A passage without per-ranking scores. */
  public Passage(String documentId, String chunkId, String title, String text, int start, int end, double score) {
    this(documentId, chunkId, title, text, start, end, score, null, null, null);
  }

  /** A passage without a recorded injection verdict. */
  public Passage(String documentId, String chunkId, String title, String text, int start, int end, double score,
                 Double keywordScore, Double vectorScore) {
    this(documentId, chunkId, title, text, start, end, score, keywordScore, vectorScore, null);
  }

  /** Reads one hit of {@code ganglion.retrieval.search}. */
  static Passage fromHit(JsonObject hit) {
    String text = hit.getString("text", "");
    int start = hit.getInteger("start", 0);
    JsonObject scores = hit.getJsonObject("scores", new JsonObject());
    return new Passage(hit.getString("documentId"), hit.getString("chunkId"), hit.getString("title"), text, start,
      hit.getInteger("end", start + text.length()), hit.getDouble("score", 0.0), scores.getDouble("keyword"),
      scores.getDouble("vector"), hit.getJsonObject("injection"));
  }

  /** The same passage with other text (wrapped as untrusted), keeping its scores: the abstention signals read them. */
  Passage withText(String wrapped) {
    return new Passage(documentId, chunkId, title, wrapped, start, end, score, keywordScore, vectorScore, injection);
  }

  Passage withScore(double score) {
    return new Passage(documentId, chunkId, title, text, start, end, score, keywordScore, vectorScore, injection);
  }
}
