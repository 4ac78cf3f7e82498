package io.ganglion.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The baseline for HTTP benchmarks: a bare Vert.x 5 server answering {@code GET /} with a small JSON object, one
 * verticle-free server per event loop, nothing else. {@code bench/run} puts Ganglion's routes next to it in one run.
 * Usage: {@code BareServer <port>}.
 */
public final class BareServer {

  private BareServer() {
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx();
    byte[] body = new JsonObject().put("status", "UP").encode().getBytes();
    io.vertx.core.buffer.Buffer buffer = io.vertx.core.buffer.Buffer.buffer(body);
    for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
      vertx.createHttpServer()
        .requestHandler(req -> req.response().putHeader("Content-Type", "application/json").end(buffer))
        .listen(port, "127.0.0.1").await();
    }
    System.out.println("bare Vert.x server on 127.0.0.1:" + port);
  }
}
