package io.ganglion.generation;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP server standing in for an LLM API, on a random port. Each test scripts how it answers the n-th
 * request; the server records every request it received.
 */
final class FakeUpstream {

  /** How to answer the {@code attempt}-th request (1-based). */
  @FunctionalInterface
  interface Script {
    void answer(int attempt, HttpServerRequest request, JsonObject body);
  }

  /** A request as the upstream saw it. */
  record Received(String path, MultiMap headers, JsonObject body) {
  }

  private final HttpServer server;
  private final AtomicInteger hits = new AtomicInteger();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile Script script = (attempt, request, body) -> request.response().setStatusCode(404).end();

  private FakeUpstream(HttpServer server) {
    this.server = server;
  }

  /** Starts the server; call from the test thread. */
  static FakeUpstream start(Vertx vertx) {
    HttpServer server = vertx.createHttpServer();
    FakeUpstream upstream = new FakeUpstream(server);
    server.requestHandler(upstream::handle);
    server.listen(0, "127.0.0.1").await();
    return upstream;
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(buffer -> {
      JsonObject body = buffer.length() == 0 ? new JsonObject() : buffer.toJsonObject();
      received.add(new Received(request.path(), request.headers(), body));
      script.answer(hits.incrementAndGet(), request, body);
    });
  }

  FakeUpstream answering(Script script) {
    this.script = script;
    return this;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  int hits() {
    return hits.get();
  }

  Received last() {
    return received.getLast();
  }
}
