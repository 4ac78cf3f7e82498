package io.ganglion.http;

import io.ganglion.config.GanglionConfig;
import io.ganglion.config.HttpConfig;
import io.ganglion.config.TlsConfig;
import io.ganglion.http.auth.CidrSet;
import io.ganglion.http.auth.ClientAddress;
import io.ganglion.http.auth.IpAllowlist;
import io.ganglion.http.auth.RefusalAudit;
import io.ganglion.orchestration.OrchestrationConfig;
import io.ganglion.http.auth.BearerAuthHandler;
import io.ganglion.http.auth.Credentials;
import io.ganglion.http.auth.JwtVerifier;
import io.ganglion.bus.Addresses;
import io.ganglion.http.auth.AuditLog;
import io.ganglion.http.auth.DataPlaneAudit;
import io.ganglion.http.limits.EdgeAdmission;
import io.ganglion.http.limits.RateLimitHandler;
import io.ganglion.http.limits.RateLimiter;
import io.ganglion.http.limits.RateLimits;
import io.ganglion.bus.MeterRegistries;
import io.ganglion.cluster.Cluster;
import io.ganglion.http.limits.TokenBudget;
import io.ganglion.http.limits.UploadSpace;
import io.ganglion.http.routes.AdminRoutes;
import io.ganglion.http.routes.AgentRoutes;
import io.ganglion.http.routes.ClusterRoutes;
import io.ganglion.http.routes.ConsoleRoutes;
import io.ganglion.http.routes.DocsRoutes;
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
import io.ganglion.http.routes.KbRoutes;
import io.ganglion.http.routes.ClientRoutes;
import io.ganglion.http.routes.ModelRoutes;
import io.ganglion.http.routes.RecordRoutes;
import io.ganglion.http.routes.WebhookRoutes;
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

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.vertx.core.http.HttpVersion;

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
  private CertificateFiles certificates;
  private long reloadTimer = -1;

  @Override
  public Future<?> start() {
    GanglionConfig config = GanglionConfig.from(config());
    http = config.http();
    TlsConfig tls = TlsConfig.from(config().getJsonObject("tls"));
    postgres = Stores.postgres(vertx, config.postgres());
    redis = Stores.redis(vertx, config.redis());

    ReflexClient.registerCodecs(vertx);
    AuditRepository auditRepository = new AuditRepository(postgres);
    ClientAddress clients = new ClientAddress(CidrSet.parse(http.trustedProxies()));
    IpAllowlist allowlist = new IpAllowlist(CidrSet.parse(http.allowCidrs()), clients, RefusalAudit.of(vertx, auditRepository));
    ConnectionLimits limits = new ConnectionLimits(vertx, new ConnectionLimits.Settings(http.maxConnections(),
      http.maxConnectionsPerAddress(), http.headerTimeoutMs()));
    Router router = Router.router(vertx);
    router.route().handler(limits);
    router.route().handler(new RequestIdHandler());
    if (tls.enabled() && tls.hstsMaxAgeSeconds() > 0) {
      String hsts = "max-age=" + tls.hstsMaxAgeSeconds();
      router.route().handler(ctx -> {
        ctx.response().putHeader("Strict-Transport-Security", hsts);
        ctx.next();
      });
    }
    if (allowlist.needed()) {
      router.route().handler(allowlist);
    }
    router.route().handler(new RequestTimeout(http.requestTimeoutMs(), 504));
    new HealthRoutes(vertx, postgres, redis).mount(router);
    new DocsRoutes().mount(router);
    new ConsoleRoutes().mount(router);

    if (!config.limits().corsOrigins().isEmpty()) {
      router.route().handler(Cors.handler(config.limits().corsOrigins()));
    }
    JsonBodies.maxDepth(config.limits().maxJsonDepth());
    AuditLog audit = new AuditLog(auditRepository);
    BearerAuthHandler auth = new BearerAuthHandler(new Credentials(new ApiKeyRepository(postgres),
      new JwtVerifier(vertx, config.auth()), Duration.ofSeconds(http.keyCacheSeconds()),
      Duration.ofSeconds(http.keyStaleSeconds())), audit);
    BodyDeadline body = new BodyDeadline(http.bodyTimeoutMs(), http.requestTimeoutMs());
    java.nio.file.Path uploads = config.dataDir().resolve("uploads");
    vertx.fileSystem().mkdirsBlocking(uploads.toString()); // before start: UploadSpace reads its file system now
    TokenBudget budget = new TokenBudget(vertx, redis, config.limits(), RATE_LIMIT_TIMEOUT_MS);
    RateLimitHandler rateLimit = new RateLimitHandler(new RateLimits(new RateLimiter(redis, RATE_LIMIT_TIMEOUT_MS,
      config.limits()::leaseFor, config.limits().leaseMs(), budget::charged),
      config.limits(), () -> Cluster.membership(vertx).members().size(), MeterRegistries.of(vertx)), budget);
    // load shedding: searches, ingestions and embeddings over their in-flight limit are refused here (asks in AskEdge,
    // after the cache look-up, so cache hits stay on their fast path)
    EdgeAdmission admission = EdgeAdmission.of(vertx, http.inFlight());
    OrchestrationConfig answers = OrchestrationConfig.from(config());
    AskRoutes asks = new AskRoutes(vertx, answers, http.requestTimeoutMs(), budget, admission);
    // every /v1 request passes these guards in this order, as the handlers of two routes rather than a route each:
    // the router matches every route's pattern and names it in the request's HTTP metrics, which a cached ask would
    // pay for on each request (the body handler cannot follow other handlers on one route, hence two); then the routes
    // below.
    io.vertx.ext.web.Route beforeBody = router.route("/v1/*");
    io.vertx.ext.web.Route guards = router.route("/v1/*").handler(BodyHandler.create(uploads.toString())
      .setBodyLimit(http.bodyLimitBytes()).setDeleteUploadedFilesOnEnd(true));
    if (body.needed()) {
      beforeBody.handler(body.start());
      guards.handler(body.done());
    }
    beforeBody.handler(new UploadSpace(uploads));
    guards.handler(auth)
      .handler(allowlist.perKey())
      .handler(rateLimit)
      .handler(admission)
      .handler(budget::guard);
    // the asks first: the router tries its routes in order, and a cached ask is the path that must stay fast; the
    // data-plane audit watches only other routes (each watcher is one more path pattern an ask would be matched against)
    asks.mount(router);
    new ChatCompletionRoutes(vertx, answers, io.ganglion.generation.LlmConfig.from(config().getJsonObject("llm")),
      http.requestTimeoutMs(), budget, admission).mount(router);
    new DataPlaneAudit(audit).mount(router);
    new KbRoutes(vertx, config.busTimeoutMs()).mount(router);
    new AdminRoutes(vertx, postgres, audit).mount(router);
    new ClusterRoutes(vertx, config.busTimeoutMs()).mount(router);
    new GuardRoutes(vertx, config.busTimeoutMs()).mount(router);
    new EmbeddingsRoutes(vertx, config.busTimeoutMs()).mount(router);
    new ModelRoutes(vertx, config.busTimeoutMs(), postgres).mount(router);
    new DocumentRoutes(vertx, config.busTimeoutMs()).mount(router);
    new JobRoutes(vertx, config.busTimeoutMs(), answers.sseHeartbeatMs()).mount(router);
    new RecordRoutes(vertx, config.busTimeoutMs()).mount(router);
    new AgentRoutes(vertx, http.requestTimeoutMs(), config.busTimeoutMs(), answers.sseHeartbeatMs()).mount(router);
    new WebhookRoutes(vertx, postgres, io.ganglion.webhooks.WebhooksConfig.from(config().getJsonObject("webhooks")), audit)
      .mount(router);
    new ClientRoutes(http, io.ganglion.retrieval.RetrievalConfig.from(config().getJsonObject("retrieval"))).mount(router);

    router.route().failureHandler(ErrorResponder::handle);
    for (int status : new int[]{400, 401, 403, 404, 405, 406, 413, 415, 500, 503, 504}) {
      router.errorHandler(status, ErrorResponder::handle);
    }

    HttpServerOptions options = new HttpServerOptions()
      .setHost(http.host())
      .setPort(http.port())
      .setCompressionSupported(true)
      .setTcpNoDelay(true)
      // HTTP/2 only over TLS (ALPN): without cleartext h2 detection, a connection is handed to ConnectionLimits at its
      // first byte rather than once its first request head is complete, so the head deadline covers the first request
      .setHttp2ClearTextEnabled(false)
      .setIdleTimeout((int) http.idleTimeoutMs())
      .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    if (tls.enabled()) {
      certificates = new CertificateFiles(tls, io.ganglion.bus.MeterRegistries.of(vertx));
      options.setSsl(true).setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
        .setKeyCertOptions(certificates.load());
    }
    server = vertx.createHttpServer(options).connectionHandler(limits::connected);
    Future<Void> revocations = vertx.eventBus().<io.vertx.core.json.JsonObject>consumer(Addresses.HTTP_KEY_REVOKED,
      msg -> auth.forget(msg.body().getString("keyId", ""))).completion();
    return revocations.compose(v -> server.requestHandler(router).listen())
      .onSuccess(s -> {
        vertx.sharedData().getLocalMap(PORT_MAP).put("port", s.actualPort());
        vertx.sharedData().getLocalMap(PORT_MAP).put(ROUTES, routes(router));
        if (certificates != null) {
          reloadTimer = vertx.setPeriodic(tls.reloadCheckMs(), t -> certificates.reloadIfChanged(server));
        }
      });
  }

  /** Local-map entry listing every route that has a method and a path ({@code ["GET /v1/kbs/:kb", ...]}). */
  public static final String ROUTES = "routes";

  private static io.vertx.core.json.JsonArray routes(Router router) {
    io.vertx.core.json.JsonArray routes = new io.vertx.core.json.JsonArray();
    for (io.vertx.ext.web.Route route : router.getRoutes()) {
      if (route.getPath() != null && route.methods() != null && !route.methods().isEmpty()) {
        route.methods().forEach(method -> routes.add(method.name() + " " + route.getPath()));
      }
    }
    return routes;
  }

  /** Stops accepting, lets in-flight requests finish within {@code http.shutdownGraceMs}, then closes clients. */
  @Override
  public Future<?> stop() {
    Future<Void> drained = server == null ? Future.succeededFuture()
      : server.shutdown(http.shutdownGraceMs(), TimeUnit.MILLISECONDS);
    vertx.cancelTimer(reloadTimer);
    return drained.eventually(() -> Future.join(postgres.close(), redis.close()));
  }

}
