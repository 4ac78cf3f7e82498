package io.ganglion.http;

import io.ganglion.TestServer;
import io.ganglion.orchestration.TestCorpus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A burst above the edge's in-flight limits ({@code http.inFlight.*} set to 1 here) is answered at once: every
 * request is either served (200) or refused 503 {@code overloaded} with {@code Retry-After}, none waits into a 504 and
 * none fails 500; a refusal comes back well before the request's deadline; cache hits take no place.
 */
@DisplayName("Load shedding at the HTTP edge")
class OverloadIT {

  /** The event-bus deadline of the server: a refusal must come back before a queued request would time out. */
  private static final long BUS_TIMEOUT_MS = 10_000;
  private static final int BURST = 16;

  private static TestServer server;
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(10)).build();

  record Outcome(int status, String retryAfter, JsonObject body, long millis) {
  }

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Files.createTempDirectory(Path.of("target"), "overload-"), java.util.Map.of(
      "http.inFlight.asks", "1", "http.inFlight.searches", "1", "http.inFlight.embeddings", "1",
      "http.inFlight.ingestions", "1", "bus.timeoutMs", Long.toString(BUS_TIMEOUT_MS)));
    TestCorpus.ingest(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpRequest post(String path, JsonObject body, boolean fresh) {
    HttpRequest.Builder b = server.authed(path).timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json");
    if (fresh) {
      b.header("Cache-Control", "no-cache");
    }
    return b.POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
  }

  /** Sends every request at once and waits (bounded) for all the answers. */
  private static List<Outcome> burst(List<HttpRequest> requests) throws Exception {
    List<CompletableFuture<Outcome>> answers = new ArrayList<>();
    for (HttpRequest request : requests) {
      long started = System.nanoTime();
      answers.add(CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> new Outcome(
        r.statusCode(), r.headers().firstValue("Retry-After").orElse(null),
        r.body().isEmpty() ? new JsonObject() : new JsonObject(r.body()),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))));
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    return answers.stream().map(CompletableFuture::join).toList();
  }

  private static void assertShed(List<Outcome> outcomes, boolean openAi) {
    assertThat(outcomes).extracting(Outcome::status).as("only served or refused").containsOnly(200, 503)
      .contains(200, 503);
    for (Outcome refused : outcomes.stream().filter(o -> o.status() == 503).toList()) {
      assertThat(refused.retryAfter()).isNotBlank();
      JsonObject error = refused.body().getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("overloaded");
      assertThat(error.getString("message")).contains("http.inFlight");
      assertThat(error.getString("requestId")).isNotBlank();
      if (openAi) {
        assertThat(error.getString("type")).isEqualTo("server_error");
        assertThat(error.containsKey("param")).isTrue();
      }
      assertThat(refused.millis()).as("refused before a queued request's deadline").isLessThan(BUS_TIMEOUT_MS);
    }
  }

  @Test
  @DisplayName("a burst of searches over the limit gets 200s and fast 503 overloaded with Retry-After, no 504 or 500")
  void searches() throws Exception {
    List<HttpRequest> requests = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      requests.add(post("/v1/kbs/" + TestCorpus.KB + "/search",
        new JsonObject().put("query", "who approves vacation requests " + i).put("k", 5), false));
    }
    assertShed(burst(requests), false);
  }

  @Test
  @DisplayName("a burst of embedding requests over the limit is shed in OpenAI's error shape")
  void embeddings() throws Exception {
    List<HttpRequest> requests = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      JsonArray input = new JsonArray();
      for (int t = 0; t < 16; t++) {
        input.add("sentence " + t + " of request " + i + " about vacation, onboarding and expenses");
      }
      requests.add(post("/v1/embeddings", new JsonObject().put("input", input), false));
    }
    assertShed(burst(requests), true);
  }

  @Test
  @DisplayName("fresh asks over the limit are shed while cached asks in the same burst are all served from the cache")
  void asks() throws Exception {
    String cached = "Who approves vacation requests?";
    HttpResponse<String> fill = server.postJson("/v1/kbs/" + TestCorpus.KB + "/ask", new JsonObject().put("question", cached).encode());
    assertThat(fill.statusCode()).as(fill.body()).isEqualTo(200);
    List<HttpRequest> fresh = new ArrayList<>();
    List<HttpRequest> hits = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      fresh.add(post("/v1/kbs/" + TestCorpus.KB + "/ask", new JsonObject().put("question", "Who approves vacation? " + i), true));
      hits.add(post("/v1/kbs/" + TestCorpus.KB + "/ask", new JsonObject().put("question", cached), false));
    }
    List<HttpRequest> all = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      all.add(fresh.get(i));
      all.add(hits.get(i));
    }
    List<Outcome> outcomes = burst(all);
    List<Outcome> freshOutcomes = new ArrayList<>();
    List<Outcome> hitOutcomes = new ArrayList<>();
    for (int i = 0; i < outcomes.size(); i++) {
      (i % 2 == 0 ? freshOutcomes : hitOutcomes).add(outcomes.get(i));
    }
    assertShed(freshOutcomes, false);
    assertThat(hitOutcomes).extracting(Outcome::status).as("cache hits take no place").containsOnly(200);
  }
}
