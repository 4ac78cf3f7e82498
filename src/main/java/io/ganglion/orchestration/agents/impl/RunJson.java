package io.ganglion.orchestration.agents.impl;

import io.ganglion.orchestration.agents.RunStatus;
import io.ganglion.store.RunRepository;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The run as replies show it:
 * {@code {"id","agent","status","output","steps":[{"type","tool"?,"arguments"?,"result"?,"error"?,"tokens"?,"ms"}],
 * "usage":{"promptTokens","completionTokens","totalTokens"},"costUsd","pending"?:[{"id","tool","arguments"}],"error"?}}.
 */
final class RunJson {

  private RunJson() {
  }

  /** A run in flight (or just ended) on this node. */
  static JsonObject live(RunState run, RunStatus status, String output, JsonObject error, JsonArray pending) {
    JsonArray steps = new JsonArray();
    run.steps().forEach(step -> steps.add(shown(step)));
    JsonObject json = new JsonObject().put("id", run.id.toString()).put("agent", run.agent.name())
      .put("status", status.wireName()).put("output", output).put("steps", steps).put("usage", run.usage())
      .put("costUsd", run.totals().costUsd)
      .put("conversationId", run.conversationId == null ? null : run.conversationId.toString());
    return extras(json, error, pending);
  }

  /** A run as stored. */
  static JsonObject stored(RunRepository.StoredRun run, List<RunRepository.StoredStep> stored, JsonArray pending) {
    JsonArray steps = new JsonArray();
    stored.forEach(s -> steps.add(shown(s.detail().copy().put("state", s.state()))));
    return extras(summary(run).put("output", run.output()).put("steps", steps)
      .put("conversationId", run.conversationId() == null ? null : run.conversationId().toString()), run.error(), pending);
  }

  /** A run in a list: no steps, no output. */
  static JsonObject summary(RunRepository.StoredRun run) {
    return new JsonObject().put("id", run.id().toString()).put("agent", run.agent()).put("status", run.status())
      .put("input", run.input())
      .put("usage", new JsonObject().put("promptTokens", run.promptTokens()).put("completionTokens", run.completionTokens())
        .put("totalTokens", run.promptTokens() + run.completionTokens()))
      .put("costUsd", run.costUsd()).put("createdAt", run.createdAt().toString())
      .put("updatedAt", run.updatedAt().toString())
      .put("finishedAt", run.finishedAt() == null ? null : run.finishedAt().toString());
  }

  private static JsonObject extras(JsonObject json, JsonObject error, JsonArray pending) {
    if (error != null) {
      JsonObject shown = error.copy();
      shown.remove("busCode");
      json.put("error", shown);
    }
    if (pending != null) {
      JsonArray calls = new JsonArray();
      pending.forEach(p -> {
        JsonObject call = (JsonObject) p;
        calls.add(new JsonObject().put("id", call.getString("id")).put("tool", call.getString("name"))
          .put("arguments", ToolTurn.arguments(io.ganglion.generation.ToolCall.fromJson(call))));
      });
      json.put("pending", calls);
    }
    return json;
  }

  /** A step without its bookkeeping: {@code state} only while a tool call is still running. */
  private static JsonObject shown(JsonObject step) {
    JsonObject copy = step.copy();
    if ("done".equals(copy.getString("state"))) {
      copy.remove("state");
    }
    return copy;
  }
}
