package io.ganglion.http.routes;

import io.ganglion.http.Paging;
import io.ganglion.http.Replies;
import io.ganglion.bus.Addresses;
import io.ganglion.http.JsonBodies;
import io.ganglion.http.auth.Principal;
import io.ganglion.http.auth.Scopes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Conversations and traces of answers (scope {@code chat}): {@code GET /v1/conversations/{id}},
 * {@code GET /v1/traces?kb=&limit=&after=} (the tenant's traces, newest first, paged), {@code GET /v1/traces/{id}},
 * {@code POST /v1/traces/{id}/feedback {"rating":-1|1,"comment"?}}. Another tenant's
 * conversation or trace is 404.
 */
public final class RecordRoutes {

  private final Vertx vertx;
  private final long busTimeoutMs;

  public RecordRoutes(Vertx vertx, long busTimeoutMs) {
    this.vertx = vertx;
    this.busTimeoutMs = busTimeoutMs;
  }

  public void mount(Router router) {
    router.get("/v1/conversations/:id").handler(ctx -> forward(ctx, Addresses.local(Addresses.ORCHESTRATOR_CONVERSATION_GET), new JsonObject()));
    router.get("/v1/traces").handler(this::traces);
    router.get("/v1/traces/:id").handler(ctx -> forward(ctx, Addresses.local(Addresses.ORCHESTRATOR_TRACE_GET), new JsonObject()));
    router.post("/v1/traces/:id/feedback").consumes("application/json").handler(this::feedback);
  }

  private void traces(RoutingContext ctx) {
    Principal principal = Scopes.require(ctx, AskRoutes.CHAT);
    Paging paging = Paging.of(ctx);
    String kb = ctx.queryParams().get("kb");
    Replies.forward(vertx, ctx, Addresses.local(Addresses.ORCHESTRATOR_TRACE_LIST), new JsonObject()
      .put("tenant", principal.tenant()).put("kb", kb == null || kb.isBlank() ? null : kb).put("after", paging.after())
      .put("limit", paging.limit()), busTimeoutMs, 200);
  }

  private void feedback(RoutingContext ctx) {
    Scopes.require(ctx, AskRoutes.CHAT);
    JsonObject body = JsonBodies.object(ctx);
    forward(ctx, Addresses.local(Addresses.ORCHESTRATOR_TRACE_FEEDBACK),
      new JsonObject().put("rating", body.getValue("rating")).put("comment", body.getValue("comment")));
  }

  private void forward(RoutingContext ctx, String address, JsonObject request) {
    Principal principal = Scopes.require(ctx, AskRoutes.CHAT);
    request.put("tenant", principal.tenant()).put("id", ctx.pathParam("id"));
    Replies.forward(vertx, ctx, address, request, busTimeoutMs, 200);
  }
}
