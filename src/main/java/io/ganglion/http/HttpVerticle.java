package io.ganglion.http;

import io.ganglion.config.GanglionConfig;
import io.ganglion.config.HttpConfig;
import io.ganglion.orchestration.OrchestrationConfig;
import io.ganglion.http.auth.BearerAuthHandler;
import io.ganglion.http.auth.JwtVerifier;
import io.ganglion.bus.Addresses;
import io.ganglion.http.auth.AuditLog;
import io.ganglion.http.limits.RateLimitHandler;
import io.ganglion.http.limits.RateLimiter;
import io.ganglion.http.limits.TokenBudget;
import io.ganglion.http.routes.AdminRoutes;
import io.ganglion.http.routes.DocumentRoutes;
import io.ganglion.http.routes.EmbeddingsRoutes;
import io.ganglion.http.routes.GuardRoutes;
import io.ganglion.http.routes.AskRoutes;
import io.ganglion.http.routes.ChatCompletionRoutes;
import io.ganglion.http.routes.HealthRoutes;
import io.ganglion.http.routes.JobRoutes;
import io.ganglion.reflex.ReflexClient;
import io.ganglion.store.AuditRepository;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.handler.CorsHandler;
import io.ganglion.http.routes.KbRoutes;
import io.ganglion.http.routes.RecordRoutes;
import io.ganglion.store.ApiKeyRepository;
import io.ganglion.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;

import java.util.concurrent.TimeUnit;

/**
 * The HTTP edge: routes, bearer authentication, the error contract, health, readiness and metrics. Runs on event
 * loops, one instance per core (all instances share the listening port); it never blocks and never touches models or
 * indexes itself — every route forwards to the owning verticle over the event bus.
 */
public final class HttpVerticle extends VerticleBase {

  /** Local-map entry where the bound port is published (the configured port may be 0). */
  public static final String PORT_MAP = "ganglion.http";

  /** A Redis answer for a rate-limit bucket slower than this counts as Redis down. */
  static final long RATE_LIMIT_TIMEOUT_MS = 250;

  private HttpServer server;
  private Pool postgres;
  private Redis redis;
  private HttpConfig http;

  @Override
  public Future<?> start() {
    GanglionConfig config = GanglionConfig.from(config());
    http = config.http();
    postgres = Stores.postgres(vertx, config.postgres());
    redis = Stores.redis(vertx, config.redis());

    ReflexClient.registerCodecs(vertx);
    Router router = Router.router(vertx);
    router.route().handler(new RequestIdHandler());
    router.route().handler(new RequestTimeout(http.requestTimeoutMs(), 504));
    new HealthRoutes(vertx, postgres, redis).mount(router);

    if (!config.limits().corsOrigins().isEmpty()) {
      router.route().handler(CorsHandler.create().addOrigins(config.limits().corsOrigins())
        .allowedHeaders(java.util.Set.of("Authorization", "Content-Type", RequestIdHandler.HEADER, "Accept"))
        .exposedHeaders(java.util.Set.of(RequestIdHandler.HEADER, "Retry-After", "RateLimit-Limit",
          "RateLimit-Remaining", "RateLimit-Reset"))
        .allowedMethods(java.util.Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE, HttpMethod.PUT)));
    }
    JsonBodies.maxDepth(config.limits().maxJsonDepth());
    AuditLog audit = new AuditLog(new AuditRepository(postgres));
    BearerAuthHandler auth = new BearerAuthHandler(new ApiKeyRepository(postgres), new JwtVerifier(vertx, config.auth()), audit);
    router.route("/v1/*").handler(BodyHandler.create(config.dataDir().resolve("uploads").toString())
      .setBodyLimit(http.bodyLimitBytes()).setDeleteUploadedFilesOnEnd(true));
    router.route("/v1/*").handler(auth);
    TokenBudget budget = new TokenBudget(redis, config.limits(), RATE_LIMIT_TIMEOUT_MS);
    router.route("/v1/*").handler(new RateLimitHandler(new RateLimiter(redis, RATE_LIMIT_TIMEOUT_MS), config.limits(),
      budget));
    // the asks first: the router tries its routes in order, and a cached ask is the path that must stay fast
    OrchestrationConfig answers = OrchestrationConfig.from(config());
    budget.mount(router);
    new AskRoutes(vertx, answers, http.requestTimeoutMs(), budget).mount(router);
    new ChatCompletionRoutes(vertx, answers, http.requestTimeoutMs(), budget).mount(router);
    new KbRoutes(vertx, config.busTimeoutMs()).mount(router);
    new AdminRoutes(vertx, postgres, audit).mount(router);
    new GuardRoutes(vertx, config.busTimeoutMs()).mount(router);
    new EmbeddingsRoutes(vertx, config.busTimeoutMs()).mount(router);
    new DocumentRoutes(vertx, config.busTimeoutMs()).mount(router);
    new JobRoutes(vertx, config.busTimeoutMs(), answers.sseHeartbeatMs()).mount(router);
    new RecordRoutes(vertx, config.busTimeoutMs()).mount(router);

    router.route().failureHandler(ErrorResponder::handle);
    for (int status : new int[]{400, 401, 403, 404, 405, 406, 413, 415, 500, 503, 504}) {
      router.errorHandler(status, ErrorResponder::handle);
    }

    server = vertx.createHttpServer(new HttpServerOptions()
      .setHost(http.host())
      .setPort(http.port())
      .setCompressionSupported(true)
      .setTcpNoDelay(true));
    Future<Void> revocations = vertx.eventBus().<io.vertx.core.json.JsonObject>consumer(Addresses.HTTP_KEY_REVOKED,
      msg -> auth.forget(msg.body().getString("keyId", ""))).completion();
    return revocations.compose(v -> server.requestHandler(router).listen())
      .onSuccess(s -> vertx.sharedData().getLocalMap(PORT_MAP).put("port", s.actualPort()));
  }

  /** Stops accepting, lets in-flight requests finish within {@code http.shutdownGraceMs}, then closes clients. */
  @Override
  public Future<?> stop() {
    Future<Void> drained = server == null ? Future.succeededFuture()
      : server.shutdown(http.shutdownGraceMs(), TimeUnit.MILLISECONDS);
    return drained.eventually(() -> Future.join(postgres.close(), redis.close()));
  }

}
