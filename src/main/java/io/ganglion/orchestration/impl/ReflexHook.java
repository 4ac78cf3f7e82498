package io.ganglion.orchestration.impl;

import io.ganglion.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of {@code ganglion.reflex.inspect} ({@code {"text","direction"}} to
 * {@code {"action","text","findings","injection"}}). When no reflex verticle is deployed the text passes unchanged and
 * the inspection says {@code skipped}; when the reflex layer fails or is late, the text passes too (fail open: an
 * answer is not withheld because the guard is slow) and the inspection says {@code failed}, which the trace records.
 */
public final class ReflexHook {

  private static final Logger LOG = LoggerFactory.getLogger(ReflexHook.class);

  /**
   * @param status {@code ok}, {@code skipped} or {@code failed}
   * @param action {@code allow}, {@code redact}, {@code flag} or {@code block} (the reflex verticle's actions)
   * @param text   the text to use from here on: the reflex layer's redacted text (PII masked or hashed)
   */
  public record Inspection(String status, String action, String text, JsonObject detail) {

    public boolean blocked() {
      return "block".equals(action);
    }

    /** Whether the injection detector flagged the text (whatever the configured action made of it). */
    public boolean injection() {
      JsonObject verdict = detail.getJsonObject("injection");
      return verdict != null && "injection".equals(verdict.getString("label"));
    }
  }

  private final Vertx vertx;

  public ReflexHook(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Injection verdicts for retrieved passages ({@code ganglion.reflex.inspect.passages}); {@code null} when no reflex
   * verticle answers or it fails (fail open: the passages are used, the trace says the screening failed).
   */
  public Future<JsonObject> inspectPassages(java.util.List<String> texts, String tenant, String kb, DeliveryOptions hop) {
    return inspectPassages(texts, null, tenant, kb, hop);
  }

  /**
   * {@link #inspectPassages(java.util.List, String, String, DeliveryOptions)} with the verdicts recorded when the
   * passages were ingested ({@code marks}, aligned with {@code texts}; a {@code null} entry: none recorded), which
   * the reflex layer uses instead of inspecting again when they were made under its current detector and settings.
   */
  public Future<JsonObject> inspectPassages(java.util.List<String> texts, java.util.List<JsonObject> marks,
                                            String tenant, String kb, DeliveryOptions hop) {
    JsonObject request = new JsonObject().put("texts", new JsonArray(new java.util.ArrayList<Object>(texts)))
      .put("tenant", tenant).put("kb", kb);
    if (marks != null && marks.stream().anyMatch(java.util.Objects::nonNull)) {
      request.put("marks", new JsonArray(new java.util.ArrayList<Object>(marks)));
    }
    return vertx.eventBus().<JsonObject>request(Addresses.local(Addresses.REFLEX_INSPECT_PASSAGES), request, hop)
      .map(Message::body)
      .otherwise(failure -> {
        if (!(failure instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS)) {
          LOG.warn("passage screening failed, using the passages unscreened: {}", failure.getMessage());
        }
        return null;
      });
  }

  /** Inspects {@code text} for {@code tenant}'s ask about {@code kb} (which select the tenant's injection override). */
  public Future<Inspection> inspect(String text, String direction, String tenant, String kb, DeliveryOptions hop) {
    JsonObject request = new JsonObject().put("text", text).put("direction", direction).put("tenant", tenant)
      .put("kb", kb);
    return vertx.eventBus().<JsonObject>request(Addresses.local(Addresses.REFLEX_INSPECT), request, hop)
      .map(Message::body)
      .map(reply -> {
        String action = reply.getString("action", "allow");
        String redacted = reply.getString("text", text);
        JsonArray findings = reply.getJsonArray("findings", new JsonArray());
        JsonArray types = new JsonArray();
        findings.forEach(f -> types.add(f instanceof JsonObject finding ? finding.getString("type") : null));
        JsonObject detail = new JsonObject().put("action", action).put("findings", types);
        if (reply.getJsonObject("injection") != null) {
          detail.put("injection", reply.getJsonObject("injection"));
        }
        // redact and flag forward the redacted text (InspectionAction); allow returns the text as it was
        return new Inspection("ok", action, "block".equals(action) ? text : redacted, detail);
      })
      .recover(failure -> {
        boolean absent = failure instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS;
        if (!absent) {
          LOG.warn("reflex inspection ({}) failed, passing the text unchanged: {}", direction, failure.getMessage());
        }
        return Future.succeededFuture(new Inspection(absent ? "skipped" : "failed", "allow", text,
          new JsonObject().put("reason", absent ? "no reflex verticle deployed" : String.valueOf(failure.getMessage()))));
      });
  }
}
