package io.ganglion.reflex;

import io.ganglion.TestServer;
import io.ganglion.orchestration.TestCorpus;
import io.ganglion.store.EmbeddedRedisServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DisplayName("Cache expiry and Redis outages")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CacheExpiryIT {

  static EmbeddedRedisServer redis;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    Path dataDir = Files.createTempDirectory(Path.of("target"), "cache-expiry-");
    redis = EmbeddedRedisServer.start(dataDir);
    server = TestServer.start(dataDir, Map.of("redis.url", redis.url(), "reflex.cache.ttlSeconds", "1"));
    TestCorpus.ingest(server);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    redis.close();
  }

  static HttpResponse<String> ask(String question) {
    return server.postJson("/v1/kbs/" + TestCorpus.KB + "/ask", new JsonObject().put("question", question).encode());
  }

  static String cache(HttpResponse<String> response) {
    return response.headers().firstValue("X-Ganglion-Cache").orElse("(none)");
  }

  @Test
  @Order(1)
  @DisplayName("an answer leaves both layers after ttlSeconds: the ask after that is a miss again")
  void expires() throws Exception {
    String question = "How many vacation days do employees get?";
    assertThat(cache(ask(question))).isEqualTo("miss");
    long cached = System.nanoTime();
    assertThat(cache(ask(question))).isEqualTo("hit");
    await("the answer expires").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
      .until(() -> cache(ask(question)).equals("miss"));
    assertThat(Duration.ofNanos(System.nanoTime() - cached)).as("not before ttlSeconds").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
  }

  @Test
  @Order(2)
  @DisplayName("with Redis down the in-process cache still serves hits, and misses are answered without errors")
  void redisDown() throws Exception {
    redis.close();
    String question = "Who approves vacation requests?";
    HttpResponse<String> miss = ask(question);
    HttpResponse<String> hit = ask(question);
    assertThat(miss.statusCode()).as(miss.body()).isEqualTo(200);
    assertThat(cache(miss)).isEqualTo("miss");
    assertThat(hit.statusCode()).isEqualTo(200);
    assertThat(cache(hit)).isEqualTo("hit");
    assertThat(TestServer.json(hit).getString("answer")).isEqualTo(TestServer.json(miss).getString("answer"));
    HttpResponse<String> other = ask("When are taxi rides reimbursed?");
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(cache(other)).isEqualTo("miss");
  }
}
