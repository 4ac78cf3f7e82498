package io.ganglion.http.routes;

import io.ganglion.http.Replies;
import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.ganglion.http.JsonBodies;
import io.ganglion.http.auth.Principal;
import io.ganglion.http.auth.Scopes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/guard {"text","direction"?,"kb"?}}: the reflex inspection of one text (scope {@code chat}) — PII
 * findings and redacted text, injection verdict with its reasons, stage and detector version, and the resulting
 * action. The caller's tenant and the optional knowledge base select a configured injection override.
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
    Principal principal = Scopes.require(ctx, "chat");
    JsonObject body = JsonBodies.object(ctx);
    if (!(body.getValue("text") instanceof String text)) {
      throw ErrorCode.INVALID_REQUEST.exception("'text' is required and must be a string");
    }
    Object direction = body.getValue("direction", "input");
    if (!(direction instanceof String)) {
      throw ErrorCode.INVALID_REQUEST.exception("'direction' must be input or output");
    }
    Object kb = body.getValue("kb");
    if (kb != null && !(kb instanceof String)) {
      throw ErrorCode.INVALID_REQUEST.exception("'kb' must be a knowledge base name");
    }
    // the tenant comes from the credential, never from the body: a tenant's overrides are its own
    JsonObject request = new JsonObject().put("text", text).put("direction", direction).put("tenant", principal.tenant());
    if (kb != null) {
      request.put("kb", kb);
    }
    Replies.forward(vertx, ctx, Addresses.local(Addresses.REFLEX_INSPECT), request, busTimeoutMs, 200);
  }
}
