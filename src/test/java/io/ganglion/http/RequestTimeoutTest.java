package io.ganglion.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The request budget (http.requestTimeoutMs)")
class RequestTimeoutTest {

  private static final long BUDGET_MS = 400;

  private Vertx vertx;
  private HttpServer server;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.route().handler(new RequestTimeout(BUDGET_MS, 504));
    router.get("/hang").handler(ctx -> { });
    router.get("/fast").handler(ctx -> ctx.response().end("ok"));
    router.get("/deadline").handler(ctx -> ctx.response().end(
      Long.toString(RequestTimeout.deadline(ctx) - System.currentTimeMillis())));
    router.get("/stream").handler(ctx -> {
      RequestTimeout.exempt(ctx);
      ctx.response().setChunked(true).write("open\n");
      vertx.setTimer(3 * BUDGET_MS, t -> ctx.response().end("done\n"));
    });
    router.route().failureHandler(ctx -> ctx.response().setStatusCode(ctx.statusCode()).end());
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
  }

  @AfterEach
  void stop() {
    client.close();
    vertx.close().await();
  }

  @Test
  @DisplayName("each request that does not end gets 504 a full budget after it arrived, whenever that was; others are not touched")
  void eachRequestItsOwnBudget() throws Exception {
    List<CompletableFuture<Long>> hanging = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> fast = new ArrayList<>();
    for (int i = 0; i < 4; i++) { // arrivals spread over about one budget, answered ones in between
      hanging.add(CompletableFuture.supplyAsync(() -> elapsed("/hang"),
        CompletableFuture.delayedExecutor(i * BUDGET_MS / 3, TimeUnit.MILLISECONDS)));
      fast.add(client.sendAsync(request("/fast"), HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<Long> h : hanging) {
      assertThat(h.get(10, TimeUnit.SECONDS)).as("ms until 504").isBetween(BUDGET_MS - 20, BUDGET_MS + 2_000);
    }
    for (CompletableFuture<HttpResponse<String>> f : fast) {
      assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    // the list is empty again and the timer re-arms for the next arrival
    assertThat(elapsed("/hang")).isBetween(BUDGET_MS - 20, BUDGET_MS + 2_000);
  }

  @Test
  @DisplayName("an exempt request (a stream) outlives the budget; the deadline handed on is the budget's end")
  void exemptAndDeadline() throws Exception {
    HttpResponse<String> stream = client.send(request("/stream"), HttpResponse.BodyHandlers.ofString());
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.body()).isEqualTo("open\ndone\n");
    long left = Long.parseLong(client.send(request("/deadline"), HttpResponse.BodyHandlers.ofString()).body());
    assertThat(left).isBetween(BUDGET_MS - 200, BUDGET_MS);
  }

  /** Milliseconds until {@code path} was answered 504. */
  private long elapsed(String path) {
    long started = System.nanoTime();
    try {
      HttpResponse<String> response = client.send(request(path), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(504);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
      .timeout(Duration.ofSeconds(10)).GET().build();
  }
}
