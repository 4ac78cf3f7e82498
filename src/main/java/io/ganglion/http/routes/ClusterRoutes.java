package io.ganglion.http.routes;

import io.ganglion.bus.Addresses;
import io.ganglion.http.Replies;
import io.ganglion.http.auth.Principal;
import io.ganglion.http.auth.Scopes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code GET /v1/cluster} (scope {@code admin}): the cluster as this node sees it,
 * {@code {"status":"green|yellow|red","self","clustered","quorum","members":[{"id","host","httpPort","busPort","state",
 * "since"}],"kbs":[{"id","name","tenant","shards":[{"shard","owners","active","loading"}]}]}} — green when every shard has
 * all its copies active, yellow when each has at least one, red otherwise. Answered by this node's retrieval
 * ({@code ganglion.retrieval.cluster}).
 */
public final class ClusterRoutes {

  private final Vertx vertx;
  private final long busTimeoutMs;

  public ClusterRoutes(Vertx vertx, long busTimeoutMs) {
    this.vertx = vertx;
    this.busTimeoutMs = busTimeoutMs;
  }

  public void mount(Router router) {
    router.get("/v1/cluster").handler(ctx -> {
      Scopes.require(ctx, Principal.ADMIN);
      Replies.forward(vertx, ctx, Addresses.local(Addresses.RETRIEVAL_CLUSTER), new JsonObject(), busTimeoutMs, 200);
    });
  }
}
