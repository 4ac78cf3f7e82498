package io.ganglion.reflex.impl;

import io.ganglion.reflex.ReflexAnswer;
import io.ganglion.reflex.rules.Rule;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** A rule's answer in the shape of {@code ganglion.orchestrator.ask}'s reply: no citations, no trace, no tokens. */
final class CannedAnswers {

  private CannedAnswers() {
  }

  static ReflexAnswer of(Rule rule, String question) {
    JsonObject usage = new JsonObject().put("promptTokens", 0).put("completionTokens", 0).put("totalTokens", 0);
    JsonObject answer = new JsonObject()
      .put("answer", rule.message())
      .put("citations", new JsonArray())
      .put("generator", "rule:" + rule.name())
      .put("abstained", false)
      .putNull("groundedness")
      .putNull("conversationId")
      .putNull("traceId")
      .put("query", question)
      .put("usage", usage)
      .put("timings", new JsonObject().put("total", 0));
    return ReflexAnswer.of(ReflexAnswer.Source.RULE, rule.name(), answer);
  }
}
