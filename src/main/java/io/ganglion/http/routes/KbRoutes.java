package io.ganglion.http.routes;

import io.ganglion.http.Paging;
import io.ganglion.http.Replies;
import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.ErrorCode;
import io.ganglion.http.JsonBodies;
import io.ganglion.http.auth.Principal;
import io.ganglion.http.auth.Scopes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The knowledge-base registry: {@code POST /v1/kbs}, {@code GET /v1/kbs}, {@code GET /v1/kbs/{name}},
 * {@code DELETE /v1/kbs/{name}}. The retrieval verticle owns knowledge bases; these routes check scopes and forward.
 */
public final class KbRoutes {

  public static final String READ = "kb:read";
  public static final String WRITE = "kb:write";

  private final Vertx vertx;
  private final long busTimeoutMs;

  public KbRoutes(Vertx vertx, long busTimeoutMs) {
    this.vertx = vertx;
    this.busTimeoutMs = busTimeoutMs;
  }

  public void mount(Router router) {
    router.post("/v1/kbs").consumes("application/json").handler(this::create);
    router.get("/v1/kbs").handler(this::list);
    router.get("/v1/kbs/:kb").handler(this::get);
    router.delete("/v1/kbs/:kb").handler(this::delete);
    router.put("/v1/kbs/:kb").consumes("application/json").handler(this::update);
  }

  private void create(RoutingContext ctx) {
    Principal principal = Scopes.require(ctx, WRITE);
    JsonObject body = JsonBodies.object(ctx);
    String name = JsonBodies.requiredString(body, "name");
    JsonObject request = new JsonObject().put("tenant", principal.tenant()).put("name", name);
    for (String optional : new String[]{"model", "sentenceVectors"}) {
      if (body.containsKey(optional)) {
        request.put(optional, body.getValue(optional));
      }
    }
    Replies.forward(vertx, ctx, Addresses.local(Addresses.RETRIEVAL_KB_CREATE), request, busTimeoutMs, 201);
  }

  private void list(RoutingContext ctx) {
    Principal principal = Scopes.require(ctx, READ);
    Paging paging = Paging.of(ctx);
    // the bus answers a tenant's knowledge bases sorted by name; a page is cut from them here
    vertx.eventBus().<JsonObject>request(Addresses.local(Addresses.RETRIEVAL_KB_LIST), new JsonObject().put("tenant", principal.tenant()),
        Deadlines.within(busTimeoutMs))
      .onSuccess(reply -> Replies.json(ctx, 200,
        paging.page(reply.body().getJsonArray("kbs"), "kbs", kb -> kb.getString("name"))))
      .onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    Principal principal = Scopes.require(ctx, READ);
    Replies.forward(vertx, ctx, Addresses.local(Addresses.RETRIEVAL_KB_GET),
      new JsonObject().put("tenant", principal.tenant()).put("name", ctx.pathParam("kb")), busTimeoutMs, 200);
  }

  /**
   * {@code {"model":"name@version"}}: re-embeds the knowledge base with that model in the background and switches to
   * it when done (202 with the job; 200 with {@code "job":null} when it already uses it; 409 while a change runs).
   */
  private void update(RoutingContext ctx) {
    Principal principal = Scopes.require(ctx, WRITE);
    JsonObject body = JsonBodies.object(ctx);
    for (String field : body.fieldNames()) {
      if (!field.equals("model")) {
        throw ErrorCode.INVALID_REQUEST.exception("unknown field '" + field + "': only 'model' can change");
      }
    }
    String model = JsonBodies.requiredString(body, "model");
    vertx.eventBus().<JsonObject>request(Addresses.local(Addresses.RETRIEVAL_KB_UPDATE),
        new JsonObject().put("tenant", principal.tenant()).put("kb", ctx.pathParam("kb")).put("model", model),
        Deadlines.within(busTimeoutMs))
      .onSuccess(reply -> Replies.json(ctx, reply.body().getValue("job") == null ? 200 : 202, reply.body()))
      .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    Principal principal = Scopes.require(ctx, WRITE);
    vertx.eventBus().request(Addresses.local(Addresses.RETRIEVAL_KB_DELETE),
        new JsonObject().put("tenant", principal.tenant()).put("name", ctx.pathParam("kb")), Deadlines.within(busTimeoutMs))
      .onSuccess(reply -> ctx.response().setStatusCode(204).end())
      .onFailure(ctx::fail);
  }

}
