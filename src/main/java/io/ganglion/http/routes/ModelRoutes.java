package io.ganglion.http.routes;

import io.ganglion.bus.Addresses;
import io.ganglion.http.JsonBodies;
import io.ganglion.http.Replies;
import io.ganglion.http.auth.Principal;
import io.ganglion.http.auth.Scopes;
import io.ganglion.inference.ModelAdminClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Model lifecycle ({@code admin}): {@code GET /v1/admin/models} lists this node's loaded models
 * ({@code ganglion.inference.models}); {@code POST /v1/admin/models} loads one at runtime on every serving member
 * ({@code {name, version?, path?, kind?, pooling?, weight?, ...}}, as an {@code inference.models} entry; 201 once
 * warmed up everywhere, 409 when every member has that version, 413 when a member's memory would not allow it, 422
 * when it cannot be loaded; on a failure the members that loaded it unload it again: see {@link ModelAdminClient});
 * {@code DELETE /v1/admin/models/{name@version}} unloads one from every member (409 while a knowledge base uses it, or
 * for the default model). Loading reads and warms up a graph, so its deadline is {@value #LOAD_TIMEOUT_MS} ms.
 */
public final class ModelRoutes {

  /** Deadline of a load: reading and warming up a graph of a few hundred MB takes seconds. */
  static final long LOAD_TIMEOUT_MS = 120_000;

  private final Vertx vertx;
  private final long busTimeoutMs;
  private final ModelAdminClient models;

  /** @param postgres where runtime loads are recorded */
  public ModelRoutes(Vertx vertx, long busTimeoutMs, io.vertx.sqlclient.Pool postgres) {
    this.vertx = vertx;
    this.busTimeoutMs = busTimeoutMs;
    this.models = new ModelAdminClient(vertx, new io.ganglion.store.RuntimeModelRepository(postgres));
  }

  public void mount(Router router) {
    router.get("/v1/admin/models").handler(this::list);
    router.post("/v1/admin/models").consumes("application/json").handler(this::load);
    router.delete("/v1/admin/models/:model").handler(this::unload);
  }

  private void list(RoutingContext ctx) {
    Scopes.require(ctx, Principal.ADMIN);
    Replies.forward(vertx, ctx, Addresses.local(Addresses.INFERENCE_MODELS), new JsonObject(), busTimeoutMs, 200);
  }

  private void load(RoutingContext ctx) {
    Scopes.require(ctx, Principal.ADMIN);
    JsonObject body = JsonBodies.object(ctx);
    JsonBodies.requiredString(body, "name");
    models.load(body, LOAD_TIMEOUT_MS).onSuccess(reply -> Replies.json(ctx, 201, reply)).onFailure(ctx::fail);
  }

  private void unload(RoutingContext ctx) {
    Scopes.require(ctx, Principal.ADMIN);
    models.unload(ctx.pathParam("model"), busTimeoutMs * 3).onSuccess(reply -> Replies.json(ctx, 200, reply))
      .onFailure(ctx::fail);
  }
}
