package io.ganglion.orchestration;

import io.ganglion.config.ConfigException;
import io.ganglion.config.ConfigReader;
import io.ganglion.orchestration.impl.AbstentionModel;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;

/**
 * The {@code orchestration} section: how answers are retrieved, composed, judged and streamed.
 *
 * @param timeoutMs           budget of one answer, end to end (then the ask fails with 5040)
 * @param maxQuestionChars    longer questions are refused with 4130
 * @param topK                passages asked from retrieval when the request gives no {@code k}
 * @param searchMode          retrieval mode: {@code hybrid}, {@code keyword} or {@code vector}
 * @param contextTokens       token budget of the context handed to the generator
 * @param historyTurns        previous messages of a conversation loaded for follow-up rewriting
 * @param minConfidence       extractive: it answers when the abstention model's confidence that the passages answer the
 *                            question is at least this, else abstains
 * @param calibrationFile     extractive: a fitted abstention model for another embedding model; empty for the bundled
 *                            one (fitted for bge-small-en-v1.5)
 * @param maxSentences        extractive: sentences in an answer, at most
 * @param mmrLambda           extractive: relevance vs. novelty weight of maximal marginal relevance (1 = relevance only)
 * @param relativeWindow      extractive: sentences scoring more than this below the best one are not used
 * @param maxCandidates       extractive: sentences embedded per answer, at most (the context's first ones)
 * @param sseHeartbeatMs      a {@code : ping} comment is written when an SSE stream was silent this long
 */
public record OrchestrationConfig(long timeoutMs, int maxQuestionChars, int topK, String searchMode,
                                  int contextTokens, int historyTurns, double minConfidence, String calibrationFile,
                                  int maxSentences, double mmrLambda, double relativeWindow, int maxCandidates,
                                  long sseHeartbeatMs) {

  public static OrchestrationConfig from(JsonObject root) {
    ConfigReader r = new ConfigReader(root, "").child("orchestration");
    ConfigReader extractive = r.child("extractive");
    String calibration = extractive.string("calibrationFile", "");
    if (!calibration.isEmpty()) {
      try {
        AbstentionModel.read(Path.of(calibration));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(extractive.key("calibrationFile"), e.getMessage());
      }
    }
    return new OrchestrationConfig(
      r.longValue("timeoutMs", 25_000, 100, 600_000),
      r.integer("maxQuestionChars", 4000, 16, 1_000_000),
      r.integer("topK", 8, 1, 100),
      r.oneOf("searchMode", "hybrid", "hybrid", "keyword", "vector"),
      r.integer("contextTokens", 2000, 64, 1_000_000),
      r.integer("historyTurns", 6, 0, 100),
      extractive.decimal("minConfidence", 0.2, 0, 1),
      calibration,
      extractive.integer("maxSentences", 3, 1, 20),
      extractive.decimal("mmrLambda", 0.7, 0, 1),
      extractive.decimal("relativeWindow", 0.15, 0, 2),
      extractive.integer("maxCandidates", 96, 1, 2048),
      r.longValue("sseHeartbeatMs", 10_000, 100, 600_000));
  }
}
