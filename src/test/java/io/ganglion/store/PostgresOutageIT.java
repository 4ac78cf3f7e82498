package io.ganglion.store;

import io.ganglion.TcpProxy;
import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL going away under a serving node, through a TCP proxy on loopback: a network partition (every byte held,
 * nothing reset) and a real stop and restart (on another port). The outage lasts {@code GANGLION_TEST_OUTAGE_SECONDS}
 * (default 8: longer than every cache in front of PostgreSQL here: verified keys 1 s, knowledge-base names 5 s; run it
 * with 130 for the two-minute version). Throughout, every request answers within its deadline and none with a 500.
 */
@DisplayName("PostgreSQL outages under a serving node")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresOutageIT {

  private static final int OUTAGE_SECONDS = Integer.parseInt(System.getenv().getOrDefault("GANGLION_TEST_OUTAGE_SECONDS", "8"));
  private static final long REQUEST_TIMEOUT_MS = 10_000;

  private static Path pgDir;
  private static EmbeddedPostgresServer postgres;
  private static TcpProxy proxy;
  private static TestServer server;
  private static String reader;
  private static String unverified;

  @BeforeAll
  static void start() throws Exception {
    pgDir = Files.createTempDirectory(Path.of("target"), "outage-pg-");
    postgres = EmbeddedPostgresServer.start(pgDir);
    proxy = new TcpProxy(port(postgres.url()));
    server = TestServer.start(Files.createTempDirectory(Path.of("target"), "outage-"), Map.of(
      "postgres.url", "postgresql://postgres@127.0.0.1:" + proxy.port() + "/postgres",
      "postgres.connectTimeoutMs", "1500", "postgres.queryTimeoutMs", "2000",
      "http.keyCacheSeconds", "1", "http.keyStaleSeconds", Integer.toString(OUTAGE_SECONDS + 120),
      "http.requestTimeoutMs", Long.toString(REQUEST_TIMEOUT_MS)));

    assertThat(server.postJson("/v1/kbs", "{\"name\":\"ops\"}").statusCode()).isEqualTo(201);
    HttpResponse<String> ingested = server.postJson("/v1/kbs/ops/documents", new JsonObject().put("documents", new JsonArray()
      .add(new JsonObject().put("id", "runbook").put("text", "The runbook says: page the on-call engineer when the "
        + "database is down, and keep serving cached answers meanwhile."))
      .add(new JsonObject().put("id", "backup").put("text", "Backups of the database run every night at two."))).encode());
    assertThat(ingested.statusCode()).as(ingested.body()).isEqualTo(200);
    reader = key("[\"kb:read\",\"chat\"]");
  }

  /**
   * Verifies the reader key, loads the index and caches the answer, as traffic before an outage would, and issues a
   * key that has never been verified.
   */
  private static void warm() {
    unverified = key("[\"kb:read\"]");
    assertThat(as(reader, search()).statusCode()).isEqualTo(200);
    assertThat(as(reader, ask()).statusCode()).isEqualTo(200);
    assertThat(as(reader, ask()).headers().firstValue("X-Ganglion-Cache")).contains("hit");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    proxy.close();
    postgres.close();
  }

  @Test
  @Order(1)
  @DisplayName("a network partition: what needs PostgreSQL answers 503 unavailable with Retry-After in time, the rest keeps serving, and the pool recovers")
  void partition() throws Exception {
    warm();
    proxy.cut();
    try {
      duringOutage();
    } finally {
      proxy.restore();
    }
    recovered();
  }

  @Test
  @Order(2)
  @DisplayName("PostgreSQL stopped, then started again elsewhere: the same, and the pool reconnects without a restart")
  void stoppedAndRestarted() throws Exception {
    warm(); // the previous recovery wrote a document, which invalidated the knowledge base's cached answers
    postgres.close();
    try {
      duringOutage();
    } finally {
      postgres = EmbeddedPostgresServer.start(pgDir);
      proxy.target(port(postgres.url()));
    }
    recovered();
  }

  /** Checks, again and again until the outage has lasted its length, what a client sees. */
  private static void duringOutage() throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(OUTAGE_SECONDS);
    int rounds = 0;
    do {
      HttpResponse<String> hits = timed(() -> as(reader, search()));
      assertThat(hits.statusCode()).as("search of a loaded index: " + hits.body()).isEqualTo(200);
      assertThat(TestServer.json(hits).getJsonArray("hits")).isNotEmpty();

      HttpResponse<String> cached = timed(() -> as(reader, ask()));
      assertThat(cached.statusCode()).as("cached answer: " + cached.body()).isEqualTo(200);
      assertThat(cached.headers().firstValue("X-Ganglion-Cache")).contains("hit");

      unavailable(timed(() -> as(server.adminKey(), HttpRequest.newBuilder().header("Content-Type", "application/json")
        .uri(server.uri("/v1/kbs/ops/documents")).POST(HttpRequest.BodyPublishers.ofString(
          "{\"documents\":[{\"id\":\"late\",\"text\":\"Written during the outage.\"}]}")))));
      unavailable(timed(() -> as(server.adminKey(), HttpRequest.newBuilder().header("Content-Type", "application/json")
        .uri(server.uri("/v1/kbs")).POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"new-kb\"}")))));
      unavailable(timed(() -> as(unverified, search()))); // a key never verified cannot be checked now

      HttpResponse<String> ready = timed(() -> server.send(server.request("/ready").GET().build()));
      assertThat(ready.statusCode()).as("readiness while the node can serve").isEqualTo(200);
      assertThat(TestServer.json(ready).getString("status")).isEqualTo("DEGRADED");
      assertThat(TestServer.json(ready).getJsonObject("checks").getString("postgres")).startsWith("DOWN");
      rounds++;
    } while (System.nanoTime() < end);
    assertThat(rounds).isPositive();
  }

  private static void recovered() throws Exception {
    await("the pool reconnects").atMost(java.time.Duration.ofSeconds(60)).until(() -> {
      HttpResponse<String> ingest = server.postJson("/v1/kbs/ops/documents",
        "{\"documents\":[{\"id\":\"after\",\"text\":\"Written after the outage.\"}]}");
      assertThat(ingest.statusCode()).as(ingest.body()).isIn(200, 503);
      return ingest.statusCode() == 200;
    });
    assertThat(as(unverified, search()).statusCode()).isEqualTo(200);
    HttpResponse<String> ready = server.send(server.request("/ready").GET().build());
    assertThat(TestServer.json(ready).getString("status")).isEqualTo("UP");
  }

  private static void unavailable(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).isPresent();
    assertThat(TestServer.json(response).getJsonObject("error").getString("code")).isEqualTo("unavailable");
  }

  /** The response, which must come within the request deadline (plus scheduling slack): never a hang. */
  private static HttpResponse<String> timed(Supplier<HttpResponse<String>> call) {
    long started = System.nanoTime();
    HttpResponse<String> response = call.get();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(REQUEST_TIMEOUT_MS + 2000);
    assertThat(response.statusCode()).as("never a 500: " + response.body()).isNotEqualTo(500);
    return response;
  }

  private static HttpRequest.Builder search() {
    return HttpRequest.newBuilder(server.uri("/v1/kbs/ops/search")).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"database down\",\"mode\":\"keyword\"}"));
  }

  private static HttpRequest.Builder ask() {
    return HttpRequest.newBuilder(server.uri("/v1/kbs/ops/ask")).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"What does the runbook say when the database is down?\"}"));
  }

  private static HttpResponse<String> as(String key, HttpRequest.Builder request) {
    return server.send(request.header("Authorization", "Bearer " + key).timeout(java.time.Duration.ofSeconds(30)).build());
  }

  private static String key(String scopes) {
    HttpResponse<String> created = server.postJson("/v1/admin/keys", "{\"tenant\":\"default\",\"scopes\":" + scopes + "}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return TestServer.json(created).getString("key");
  }

  private static int port(String url) {
    return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1, url.lastIndexOf('/')));
  }
}
