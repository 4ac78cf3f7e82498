package io.ganglion.http.routes;

import io.ganglion.bus.Addresses;
import io.ganglion.http.JsonBodies;
import io.ganglion.http.Replies;
import io.ganglion.http.auth.Principal;
import io.ganglion.http.auth.Scopes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Model lifecycle ({@code admin}): {@code GET /v1/admin/models} lists the loaded models ({@code ganglion.inference.models});
 * {@code POST /v1/admin/models} loads one at runtime ({@code {name, version?, path?, kind?, pooling?, weight?, ...}},
 * as an {@code inference.models} entry; 201 once warmed up, 409 when that version is loaded, 413 when memory would not
 * allow it, 422 when it cannot be loaded); {@code DELETE /v1/admin/models/{name@version}} unloads one (409 while a
 * knowledge base uses it, or for the default model). Loading reads and warms up a graph, so its deadline is
 * {@value #LOAD_TIMEOUT_MS} ms.
 */
public final class ModelRoutes {

  /** Deadline of a load: reading and warming up a graph of a few hundred MB takes seconds. */
  static final long LOAD_TIMEOUT_MS = 120_000;

  private final Vertx vertx;
  private final long busTimeoutMs;

  public ModelRoutes(Vertx vertx, long busTimeoutMs) {
    this.vertx = vertx;
    this.busTimeoutMs = busTimeoutMs;
  }

  public void mount(Router router) {
    router.get("/v1/admin/models").handler(this::list);
    router.post("/v1/admin/models").consumes("application/json").handler(this::load);
    router.delete("/v1/admin/models/:model").handler(this::unload);
  }

  private void list(RoutingContext ctx) {
    Scopes.require(ctx, Principal.ADMIN);
    Replies.forward(vertx, ctx, Addresses.INFERENCE_MODELS, new JsonObject(), busTimeoutMs, 200);
  }

  private void load(RoutingContext ctx) {
    Scopes.require(ctx, Principal.ADMIN);
    JsonObject body = JsonBodies.object(ctx);
    JsonBodies.requiredString(body, "name");
    Replies.forward(vertx, ctx, Addresses.INFERENCE_MODEL_LOAD, body, LOAD_TIMEOUT_MS, 201);
  }

  private void unload(RoutingContext ctx) {
    Scopes.require(ctx, Principal.ADMIN);
    Replies.forward(vertx, ctx, Addresses.INFERENCE_MODEL_UNLOAD,
      new JsonObject().put("model", ctx.pathParam("model")), busTimeoutMs * 3, 200);
  }
}
