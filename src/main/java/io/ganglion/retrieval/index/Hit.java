package io.ganglion.retrieval.index;

import io.vertx.core.json.JsonObject;

/**
 * One search result: a chunk, where it sits in its document, and why it ranked.
 *
 * @param documentId the chunk's document
 * @param chunkId the chunk
 * @param title the document title, or {@code null}
 * @param text the citation text
 * @param start first character of {@code text} in the document text
 * @param end last character, exclusive
 * @param score the final score that ordered the hits (BM25, cosine, or the fused score)
 * @param keywordScore the BM25 score, {@code null} when the keyword ranking did not return this chunk
 * @param vectorScore the cosine similarity, {@code null} when the vector ranking did not return this chunk
 * @param injection the indirect-injection verdict recorded when the chunk was ingested (JSON text), or {@code null}
 */
public record Hit(String documentId, String chunkId, String title, String text, int start, int end,
                  double score, Double keywordScore, Double vectorScore, String injection) {

  /** A hit without a recorded injection verdict. */
  public Hit(String documentId, String chunkId, String title, String text, int start, int end, double score,
             Double keywordScore, Double vectorScore) {
    this(documentId, chunkId, title, text, start, end, score, keywordScore, vectorScore, null);
  }

  /**
   * {@code {documentId, chunkId, title, text, start, end, score, scores: {keyword, vector}, injection?}}, with
   * {@code injection} only when a verdict was recorded.
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("documentId", documentId)
      .put("chunkId", chunkId)
      .put("title", title)
      .put("text", text)
      .put("start", start)
      .put("end", end)
      .put("score", score)
      .put("scores", new JsonObject().put("keyword", keywordScore).put("vector", vectorScore));
    return injection == null ? json : json.put("injection", new JsonObject(injection));
  }
}
