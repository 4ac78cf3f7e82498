package io.ganglion.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.UUID;

/**
 * Baselines for HTTP benchmarks, one server per event loop, nothing else.
 * <ul>
 *   <li>{@code BareServer <port>}: a bare Vert.x 5 server answering {@code GET /} with a small JSON object;
 *   {@code bench/run} puts Ganglion's {@code /health} next to it in one run.</li>
 *   <li>{@code BareServer <port> floor <ask-bytes>}: the floor of {@code bench/cache.sh}'s two routes, a Vert.x Web
 *   router that answers {@code GET /health} and {@code POST /v1/kbs/:kb/ask} (JSON body, through the body handler)
 *   with the headers Ganglion sends and bodies of Ganglion's sizes ({@code {"status":"UP"}}, and a fixed JSON answer of
 *   {@code ask-bytes} bytes), and does nothing else: no authentication, limits, cache or metrics. The ratio of its two
 *   routes is what HTTP alone leaves of {@code /health}'s throughput for a cached ask.</li>
 * </ul>
 */
public final class BareServer {

  private BareServer() {
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    boolean floor = args.length > 1 && "floor".equals(args[1]);
    Vertx vertx = Vertx.vertx();
    for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
      if (floor) {
        vertx.createHttpServer().requestHandler(floor(vertx, Integer.parseInt(args[2]))).listen(port, "127.0.0.1").await();
      } else {
        Buffer buffer = Buffer.buffer(new JsonObject().put("status", "UP").encode());
        vertx.createHttpServer()
          .requestHandler(req -> req.response().putHeader("Content-Type", "application/json").end(buffer))
          .listen(port, "127.0.0.1").await();
      }
    }
    System.out.println((floor ? "floor" : "bare") + " Vert.x server on 127.0.0.1:" + port);
  }

  private static Router floor(Vertx vertx, int askBytes) {
    Buffer health = Buffer.buffer(new JsonObject().put("status", "UP").encode());
    String text = new JsonObject().put("answer", "").encode();
    Buffer answer = Buffer.buffer(new JsonObject().put("answer", "a".repeat(Math.max(0, askBytes - text.length())))
      .encode());
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> headers(ctx).end(health));
    router.post("/v1/kbs/:kb/ask").consumes("application/json").handler(BodyHandler.create(false))
      .handler(ctx -> headers(ctx).putHeader("Cache-Control", "no-store").putHeader("X-Ganglion-Cache", "hit")
        .end(answer));
    return router;
  }

  private static HttpServerResponse headers(RoutingContext ctx) {
    return ctx.response().putHeader("X-Request-Id", UUID.randomUUID().toString().replace("-", ""))
      .putHeader("X-Content-Type-Options", "nosniff").putHeader("X-Frame-Options", "DENY")
      .putHeader("Content-Type", "application/json");
  }
}
