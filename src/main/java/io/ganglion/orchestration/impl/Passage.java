package io.ganglion.orchestration.impl;

import io.vertx.core.json.JsonObject;

/**
 * One retrieved chunk as the pipeline uses it.
 *
 * @param text  the chunk text, equal to {@code document[start, end)}
 * @param start offset of the chunk in its document (characters)
 * @param end   end offset of the chunk in its document
 * @param score retrieval (or rerank) score; higher is better
 */
public record Passage(String documentId, String chunkId, String title, String text, int start, int end, double score) {

  /** Reads one hit of {@code ganglion.retrieval.search}. */
  static Passage fromHit(JsonObject hit) {
    String text = hit.getString("text", "");
    int start = hit.getInteger("start", 0);
    return new Passage(hit.getString("documentId"), hit.getString("chunkId"), hit.getString("title"), text, start,
      hit.getInteger("end", start + text.length()), hit.getDouble("score", 0.0));
  }

  Passage withScore(double score) {
    return new Passage(documentId, chunkId, title, text, start, end, score);
  }
}
