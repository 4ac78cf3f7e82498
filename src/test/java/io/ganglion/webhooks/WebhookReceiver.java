package io.ganglion.webhooks;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A real HTTP server on 127.0.0.1 that receives webhook deliveries, records each (path, headers, raw body, when) and
 * answers by path with the status the test chose ({@link #answer}); 200 by default, and {@link #SILENT} for no answer at
 * all (the request is held open until the sender gives up).
 */
final class WebhookReceiver implements AutoCloseable {

  /** One request as it arrived. */
  record Received(String path, MultiMap headers, String body, long atSeconds) {

    JsonObject json() {
      return new JsonObject(body);
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  /** The status that means: never answer this request. */
  static final int SILENT = 0;

  private final Vertx vertx;
  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> perDelivery = new ConcurrentHashMap<>();
  /** (path, how many times this delivery id arrived, from 1) → status. */
  private volatile BiFunction<String, Integer, Integer> answer = (path, n) -> 200;

  private WebhookReceiver(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  static WebhookReceiver start() {
    Vertx vertx = Vertx.vertx();
    WebhookReceiver[] self = new WebhookReceiver[1];
    HttpServer server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      Received r = new Received(request.path(), MultiMap.caseInsensitiveMultiMap().addAll(request.headers()),
        body.toString(), Instant.now().getEpochSecond());
      String delivery = r.header(WebhookSignature.DELIVERY_HEADER);
      int seen = self[0].perDelivery.computeIfAbsent(delivery == null ? "" : delivery, d -> new AtomicInteger())
        .incrementAndGet();
      self[0].received.add(r);
      int status = self[0].answer.apply(request.path(), seen);
      if (status != SILENT) {
        request.response().setStatusCode(status).end("ok");
      }
    }));
    self[0] = new WebhookReceiver(vertx, server);
    server.listen(0, "127.0.0.1").await();
    return self[0];
  }

  void answer(BiFunction<String, Integer, Integer> answer) {
    this.answer = answer;
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  List<Received> at(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
