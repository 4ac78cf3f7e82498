package io.ganglion.orchestration;

import io.ganglion.config.ConfigReader;
import io.vertx.core.json.JsonObject;

/**
 * The {@code orchestration} section: how answers are retrieved, composed, judged and streamed.
 *
 * @param timeoutMs           budget of one answer, end to end (then the ask fails with 5040)
 * @param maxQuestionChars    longer questions are refused with 4130
 * @param topK                passages asked from retrieval when the request gives no {@code k}
 * @param searchMode          retrieval mode: {@code hybrid}, {@code keyword} or {@code vector}
 * @param contextTokens       token budget of the context handed to the generator
 * @param historyTurns        previous messages of a conversation loaded for follow-up rewriting
 * @param minSimilarity       extractive: best question/sentence cosine below which it abstains
 * @param maxSentences        extractive: sentences in an answer, at most
 * @param mmrLambda           extractive: relevance vs. novelty weight of maximal marginal relevance (1 = relevance only)
 * @param relativeWindow      extractive: sentences scoring more than this below the best one are not used
 * @param maxCandidates       extractive: sentences embedded per answer, at most (the context's first ones)
 * @param sseHeartbeatMs      a {@code : ping} comment is written when an SSE stream was silent this long
 */
public record OrchestrationConfig(long timeoutMs, int maxQuestionChars, int topK, String searchMode,
                                  int contextTokens, int historyTurns, double minSimilarity, int maxSentences,
                                  double mmrLambda, double relativeWindow, int maxCandidates, long sseHeartbeatMs) {

  public static OrchestrationConfig from(JsonObject root) {
    ConfigReader r = new ConfigReader(root, "").child("orchestration");
    ConfigReader extractive = r.child("extractive");
    return new OrchestrationConfig(
      r.longValue("timeoutMs", 25_000, 100, 600_000),
      r.integer("maxQuestionChars", 4000, 16, 1_000_000),
      r.integer("topK", 8, 1, 100),
      r.oneOf("searchMode", "hybrid", "hybrid", "keyword", "vector"),
      r.integer("contextTokens", 2000, 64, 1_000_000),
      r.integer("historyTurns", 6, 0, 100),
      extractive.decimal("minSimilarity", 0.61, -1, 1),
      extractive.integer("maxSentences", 3, 1, 20),
      extractive.decimal("mmrLambda", 0.7, 0, 1),
      extractive.decimal("relativeWindow", 0.15, 0, 2),
      extractive.integer("maxCandidates", 96, 1, 2048),
      r.longValue("sseHeartbeatMs", 10_000, 100, 600_000));
  }
}
