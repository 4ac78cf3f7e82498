package io.ganglion.orchestration.impl;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/**
 * The named, timed steps of one ask. Each finished step is recorded as {@code {"name","status","ms",...detail}} with
 * status {@code ok}, {@code skipped} (its verticle is not deployed, or nothing to do), {@code degraded} (it failed and
 * the answer says so) or {@code failed}; each is also reported as a {@code step} stream event as it finishes.
 */
final class Steps {

  private final AskContext ask;
  private final JsonArray recorded = new JsonArray();

  Steps(AskContext ask) {
    this.ask = ask;
  }

  /**
   * Runs a step unless the ask was cancelled; the step's future yields its detail object, whose {@code status} (if
   * any) overrides {@code ok}. A failed step is recorded as failed with the failure's code, and fails the ask.
   */
  Future<Void> run(String name, Supplier<Future<JsonObject>> step) {
    if (ask.cancelled()) {
      return Future.failedFuture(new AskCancelledException());
    }
    long start = System.nanoTime();
    Future<JsonObject> outcome;
    try {
      outcome = step.get();
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    return outcome
      .onSuccess(detail -> record(name, detail.getString("status", "ok"), start, detail.copy().put("status", null)))
      .onFailure(failure -> record(name, "failed", start, new JsonObject()
        .put("code", ErrorCode.of(failure).code()).put("error", String.valueOf(failure.getMessage()))))
      .mapEmpty();
  }

  /** Records a step that already happened (or was skipped without running). */
  void record(String name, String status, long startNanos, JsonObject detail) {
    JsonObject step = new JsonObject().put("name", name).put("status", status)
      .put("ms", Math.round((System.nanoTime() - startNanos) / 1e5) / 10.0);
    detail.forEach(entry -> {
      if (entry.getValue() != null && !step.containsKey(entry.getKey())) {
        step.put(entry.getKey(), entry.getValue());
      }
    });
    recorded.add(step);
    // the stream's step events carry the trace id, so a client can fetch the trace of an ask it abandoned
    ask.emit("step", step.copy().put("traceId", ask.traceId.toString()));
  }

  JsonArray all() {
    return recorded.copy();
  }

  /** {@code {"<step>": ms, ..., "total": ms}}. */
  JsonObject timings() {
    JsonObject timings = new JsonObject();
    for (int i = 0; i < recorded.size(); i++) {
      JsonObject step = recorded.getJsonObject(i);
      timings.put(step.getString("name"), step.getDouble("ms"));
    }
    return timings.put("total", ask.elapsedMs());
  }
}
