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
 * {@code GET /health} (liveness), {@code GET /ready} (readiness) and {@code GET /metrics} (Prometheus text). None needs
 * a credential.
 * <p>
 * {@code /ready} asks every verticle's status address and PostgreSQL and Redis, and answers
 * {@code {"status":"UP"|"DEGRADED"|"DOWN","checks":{"<verticle>":"UP",...,"postgres":"UP"|"DOWN: <why>","redis":...}}}:
 * 200 {@code UP} when everything answers; 200 {@code DEGRADED} when only PostgreSQL or Redis is down, because the node
 * still serves what does not need them (searches of loaded indexes, cached answers, keys verified recently) and a
 * probe must not take every pod out of the load balancer at once for an outage they all share; 503 {@code DOWN} when
 * a verticle does not answer. The cluster's colour as this node sees it is reported too — {@code checks.cluster}
 * ({@code green|yellow|red}) and {@code "cluster":{"status","members","quorum","chunks"}} — and is never a reason for
 * 503: a yellow or red cluster must not take every node out at once.
 */
public final class HealthRoutes {

  /** How long {@code /ready} waits for each dependency. */
  static final long CHECK_TIMEOUT_MS = 2000;
  /** Checks whose failure degrades the node rather than taking it out. */
  static final java.util.Set<String> DEPENDENCIES = java.util.Set.of("postgres", "redis");

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
      boolean verticlesUp = true;
      boolean dependenciesUp = true;
      for (Map.Entry<String, Future<?>> check : checks.entrySet()) {
        boolean ok = check.getValue().succeeded();
        if (DEPENDENCIES.contains(check.getKey())) {
          dependenciesUp &= ok;
        } else {
          verticlesUp &= ok;
        }
        detail.put(check.getKey(), ok ? "UP" : "DOWN: " + check.getValue().cause().getMessage());
      }
      // at start, retrieval loads this node's copies and runs a probe search of every knowledge base, then the
      // orchestrator runs a few warm-up asks of each (both bounded by retrieval.warmupMs) before the node takes
      // traffic: WARMING, 503. Never while PostgreSQL or Redis is down: the warm-up would only wait on it, and the
      // node serves what it can (DEGRADED, the dependency reported on its own)
      JsonObject warmup = warmup(checks.get("retrieval"));
      JsonObject asks = warmup(checks.get("orchestrator"));
      boolean searchesWarm = warmup == null || !"WARMING".equals(warmup.getString("status"));
      boolean warming = !searchesWarm || asks != null && "WARMING".equals(asks.getString("status"));
      boolean warm = !warming || !dependenciesUp;
      if (warmup != null) {
        warmup = warmup.copy().put("status", warming ? "WARMING" : "UP");
        if (asks != null) {
          warmup.put("asks", asks);
        }
        detail.put("warmup", !warming ? "UP" : !searchesWarm ? "WARMING: " + warmup.getInteger("warmed") + " of "
          + warmup.getInteger("of") + " knowledge bases" : "WARMING: " + asks.getInteger("asked") + " warm-up asks");
      }
      String status = !verticlesUp ? "DOWN" : !warm ? "WARMING" : dependenciesUp ? "UP" : "DEGRADED";
      JsonObject body = new JsonObject().put("status", status).put("checks", detail);
      if (warmup != null) {
        body.put("warmup", warmup);
      }
      // the cluster's colour is information, never a reason to be unready: a yellow or red cluster must not take
      // every node out of the load balancer at once
      Future<?> retrieval = checks.get("retrieval");
      if (retrieval != null && retrieval.succeeded()
        && ((io.vertx.core.eventbus.Message<?>) retrieval.result()).body() instanceof JsonObject reply
        && reply.getJsonObject("cluster") != null) {
        detail.put("cluster", reply.getJsonObject("cluster").getString("status"));
        body.put("cluster", reply.getJsonObject("cluster"));
      }
      ctx.response().setStatusCode(verticlesUp && warm ? 200 : 503)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.toBuffer());
    });
  }

  /** The {@code warmup} object of a verticle's status reply, or {@code null}. */
  private static JsonObject warmup(Future<?> status) {
    return status != null && status.succeeded()
      && ((io.vertx.core.eventbus.Message<?>) status.result()).body() instanceof JsonObject r
      ? r.getJsonObject("warmup") : null;
  }
}
