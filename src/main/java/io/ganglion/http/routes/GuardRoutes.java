package io.ganglion.http.routes;

import io.ganglion.http.Replies;
import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.ganglion.http.JsonBodies;
import io.ganglion.http.auth.Scopes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/guard {"text","direction"?}}: the reflex inspection of one text (scope {@code chat}) — PII findings
 * and redacted text, injection verdict, and the resulting action.
 */
public final class GuardRoutes {

  private final Vertx vertx;
  private final long busTimeoutMs;

  public GuardRoutes(Vertx vertx, long busTimeoutMs) {
    this.vertx = vertx;
    this.busTimeoutMs = busTimeoutMs;
  }

  public void mount(Router router) {
    router.post("/v1/guard").consumes("application/json").handler(this::guard);
  }

  private void guard(RoutingContext ctx) {
    Scopes.require(ctx, "chat");
    JsonObject body = JsonBodies.object(ctx);
    if (!(body.getValue("text") instanceof String text)) {
      throw ErrorCode.INVALID_REQUEST.exception("'text' is required and must be a string");
    }
    Object direction = body.getValue("direction", "input");
    if (!(direction instanceof String)) {
      throw ErrorCode.INVALID_REQUEST.exception("'direction' must be input or output");
    }
    Replies.forward(vertx, ctx, Addresses.local(Addresses.REFLEX_INSPECT), new JsonObject().put("text", text).put("direction", direction),
      busTimeoutMs, 200);
  }
}
