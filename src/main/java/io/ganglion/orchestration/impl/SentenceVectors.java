package io.ganglion.orchestration.impl;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;

import java.util.List;

/**
 * Where the extractive generator's vectors come from: the question's, and each candidate sentence's, all of one model
 * (the knowledge base's). The seam between what the generator decides (which sentences answer, or whether to abstain)
 * and how the vectors are had ({@link StoredSentenceVectors}: stored at ingestion, else embedded on the spot).
 */
interface SentenceVectors {

  /**
   * @param query the question's vector (L2-normalised, kind query)
   * @param sentences one vector per candidate, in order (L2-normalised, kind passage)
   * @param embedded how many candidates had no stored vector and were embedded for this ask
   */
  record Vectors(float[] query, float[][] sentences, int embedded) {
  }

  /**
   * The vectors of {@code query} and of {@code candidates} (sentences of {@code passages}). Fails with the inference
   * verticle's code (5030 overloaded, 5031 unavailable) when something had to be embedded and could not be.
   */
  Future<Vectors> of(String query, List<Passage> passages, List<Sentence> candidates, DeliveryOptions hop);
}
