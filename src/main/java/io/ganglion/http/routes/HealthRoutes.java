package io.ganglion.http.routes;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /health} (liveness), {@code GET /ready} (every verticle answers its status address and PostgreSQL and
 * Redis answer) and {@code GET /metrics} (Prometheus text). None needs a credential.
 */
public final class HealthRoutes {

  /** How long {@code /ready} waits for each dependency. */
  static final long CHECK_TIMEOUT_MS = 2000;

  private final Vertx vertx;
  private final Pool postgres;
  private final Redis redis;

  public HealthRoutes(Vertx vertx, Pool postgres, Redis redis) {
    this.vertx = vertx;
    this.postgres = postgres;
    this.redis = redis;
  }

  public void mount(Router router) {
    router.get("/health").handler(this::health);
    router.get("/ready").handler(this::ready);
    String registry = (String) vertx.sharedData().getLocalMap(io.ganglion.bus.MeterRegistries.MAP).get("registry");
    router.get("/metrics").handler(registry == null ? PrometheusScrapingHandler.create() : PrometheusScrapingHandler.create(registry));
  }

  private void health(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end("{\"status\":\"UP\"}");
  }

  private void ready(RoutingContext ctx) {
    Map<String, Future<?>> checks = new LinkedHashMap<>();
    for (String address : Addresses.STATUS) {
      checks.put(address.substring("ganglion.".length(), address.lastIndexOf('.')),
        vertx.eventBus().request(address, new JsonObject(), Deadlines.within(CHECK_TIMEOUT_MS)));
    }
    checks.put("postgres", postgres.query("select 1").execute().timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS));
    checks.put("redis", redis.send(Request.cmd(Command.PING)).timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS));
    List<Future<?>> all = List.copyOf(checks.values());
    Future.join(all).onComplete(ignored -> {
      JsonObject detail = new JsonObject();
      boolean up = true;
      for (Map.Entry<String, Future<?>> check : checks.entrySet()) {
        boolean ok = check.getValue().succeeded();
        up &= ok;
        detail.put(check.getKey(), ok ? "UP" : "DOWN: " + check.getValue().cause().getMessage());
      }
      JsonObject body = new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", detail);
      // the cluster's colour is information, never a reason to be unready: a yellow or red cluster must not take
      // every node out of the load balancer at once
      Future<?> retrieval = checks.get("retrieval");
      if (retrieval != null && retrieval.succeeded()
        && ((io.vertx.core.eventbus.Message<?>) retrieval.result()).body() instanceof JsonObject status
        && status.getJsonObject("cluster") != null) {
        body.put("cluster", status.getJsonObject("cluster"));
      }
      ctx.response().setStatusCode(up ? 200 : 503)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.toBuffer());
    });
  }
}
