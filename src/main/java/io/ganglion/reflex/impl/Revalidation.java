package io.ganglion.reflex.impl;

import io.ganglion.bus.ErrorCode;
import io.ganglion.reflex.Direction;
import io.ganglion.reflex.Inspection;
import io.ganglion.reflex.InspectionAction;
import io.ganglion.reflex.Inspector;
import io.ganglion.reflex.ReflexAnswer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Re-inspects a cached answer that was computed under another reflex policy, before it is served: the question as
 * input (one the policy now blocks fails with 4220, as the orchestrator's {@code reflex_in} step would; one it would
 * redact is answered again), the answer text as output (anything the policy would now redact or block: answered
 * again), and the cited passages as untrusted content (one the policy now finds carrying instructions, enforced:
 * answered again, so the new indirect-injection policy decides). Otherwise the answer is kept.
 * <p>
 * <b>NOTE</b>: runs on the reflex verticle's event loop, in process (no embedding stage): tens of microseconds to about
 * a millisecond per answer, once per cached entry and policy.
 */
final class Revalidation {

  private Revalidation() {
  }

  /** {@code true} to serve {@code answer} to {@code request}, {@code false} to answer again; fails 4220 if blocked. */
  static Future<Boolean> check(Inspector inspector, JsonObject request, ReflexAnswer answer) {
    String tenant = request.getValue("tenant") instanceof String t ? t : null;
    String kb = request.getValue("kb") instanceof String k ? k : null;
    String question = request.getValue("question") instanceof String q ? q : "";
    Inspection in = inspector.inspect(question, Direction.INPUT, inspector.newRedactor(Direction.INPUT), tenant, kb);
    if (in.action() == InspectionAction.BLOCK) {
      return Future.failedFuture(ErrorCode.UNPROCESSABLE.exception("the question was blocked by policy"));
    }
    if (in.action() == InspectionAction.REDACT) {
      return Future.succeededFuture(false);
    }
    JsonObject json = answer.json();
    Inspection out = inspector.inspect(json.getString("answer", ""), Direction.OUTPUT,
      inspector.newRedactor(Direction.OUTPUT), tenant, kb);
    if (out.action() == InspectionAction.REDACT || out.action() == InspectionAction.BLOCK) {
      return Future.succeededFuture(false);
    }
    List<String> quotes = new ArrayList<>();
    JsonArray citations = json.getJsonArray("citations", new JsonArray());
    for (int i = 0; i < citations.size() && quotes.size() < 64; i++) {
      if (citations.getValue(i) instanceof JsonObject c && c.getValue("quote") instanceof String quote) {
        quotes.add(quote);
      }
    }
    if (quotes.isEmpty()) {
      return Future.succeededFuture(true);
    }
    JsonObject screened = inspector.inspectPassages(quotes, tenant, kb);
    if (!screened.getBoolean("enforced", false)) {
      return Future.succeededFuture(true);
    }
    for (Object p : screened.getJsonArray("passages")) {
      if (((JsonObject) p).getBoolean("injection", false)) {
        return Future.succeededFuture(false);
      }
    }
    return Future.succeededFuture(true);
  }
}
