package io.ganglion.http;

import io.ganglion.config.GanglionConfig;
import io.ganglion.config.HttpConfig;
import io.ganglion.config.OrchestrationConfig;
import io.ganglion.http.auth.BearerAuthHandler;
import io.ganglion.http.auth.JwtVerifier;
import io.ganglion.http.routes.AskRoutes;
import io.ganglion.http.routes.ChatCompletionRoutes;
import io.ganglion.http.routes.HealthRoutes;
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
import io.vertx.ext.web.handler.TimeoutHandler;
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

    Router router = Router.router(vertx);
    router.route().handler(new RequestIdHandler());
    router.route().handler(TimeoutHandler.create(http.requestTimeoutMs(), 504));
    new HealthRoutes(vertx, postgres, redis).mount(router);

    router.route("/v1/*").handler(BodyHandler.create(false).setBodyLimit(http.bodyLimitBytes()));
    router.route("/v1/*").handler(new BearerAuthHandler(new ApiKeyRepository(postgres), new JwtVerifier(vertx, config.auth())));
    new KbRoutes(vertx, config.busTimeoutMs()).mount(router);
    OrchestrationConfig answers = OrchestrationConfig.from(config());
    new AskRoutes(vertx, answers, http.requestTimeoutMs()).mount(router);
    new ChatCompletionRoutes(vertx, answers, http.requestTimeoutMs()).mount(router);
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
    return server.requestHandler(router).listen()
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
