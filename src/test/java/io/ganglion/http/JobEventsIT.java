package io.ganglion.http;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A private server with a short request budget and a fast heartbeat. A job is held still by locking the documents
 * table from a second PostgreSQL connection: ingestion's inserts wait on the lock, so the job stays running exactly as
 * long as the test wants, whatever the machine's load.
 */
@DisplayName("The job-progress stream GET /v1/jobs/{id}/events")
class JobEventsIT {

  /** Short enough for a test, long enough that creating a KB does not time out on a loaded machine (300 ms did). */
  static final long REQUEST_TIMEOUT_MS = 1500;
  static final long HEARTBEAT_MS = 100;
  static final Duration WAIT = Duration.ofSeconds(60);

  static TestServer server;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Files.createTempDirectory(Path.of("target"), "job-events-"), Map.of(
      "http.requestTimeoutMs", String.valueOf(REQUEST_TIMEOUT_MS),
      "orchestration.sseHeartbeatMs", String.valueOf(HEARTBEAT_MS),
      "retrieval.asyncThreshold", "1"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @DisplayName("a stream outlives http.requestTimeoutMs uncompressed for a gzip client, with heartbeats, and ends with done")
  void outlivesTheRequestTimeout() throws Exception {
    String job;
    SseLines lines;
    long opened;
    try (Connection lock = lockDocuments()) {
      job = startJob(3);
      HttpResponse<InputStream> response = events(job, null);
      opened = System.nanoTime();
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/event-stream"));
      assertThat(response.headers().allValues("Content-Encoding")).doesNotContain("gzip");
      lines = new SseLines(response.body());
      assertThat(lines.until(l -> l.startsWith("retry:"), WAIT)).isEqualTo("retry: 1000");
      lines.until(l -> l.equals("event: progress"), WAIT);
      // silent heartbeat periods (five at least) until the stream has been open twice the request budget, still
      // waiting on the job
      for (int i = 0; i < 5 || Duration.ofNanos(System.nanoTime() - opened).toMillis() < 2 * REQUEST_TIMEOUT_MS; i++) {
        lines.until(l -> l.equals(": ping"), WAIT);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - opened)).isGreaterThan(Duration.ofMillis(REQUEST_TIMEOUT_MS));
      assertThat(lines.seen()).doesNotContain("event: done", "event: error");
      lock.rollback();
    }
    List<String> all = lines.toEnd(WAIT);
    assertThat(all).contains("id: 0", "id: 3", "id: done", "event: done");
    assertThat(all.get(all.lastIndexOf("event: done") + 1)).startsWith("data: ").contains("\"status\":\"done\"").contains("\"done\":3");
    assertThat(all).noneMatch(l -> l.contains("timeout"));
    lines.close();
  }

  @Test
  @DisplayName("a client that reconnects with Last-Event-ID gets the progress it missed and done, and 204 once it saw done")
  void reconnectResumes() throws Exception {
    String job;
    try (Connection lock = lockDocuments()) {
      job = startJob(2);
      try (SseLines first = new SseLines(events(job, null).body())) {
        first.until(l -> l.equals("id: 0"), WAIT);
        first.until(l -> l.equals("event: progress"), WAIT);
      }
      lock.rollback();
    }
    await().atMost(WAIT).until(() -> "done".equals(TestServer.json(server.get("/v1/jobs/" + job)).getString("status")));

    HttpResponse<InputStream> resumed = events(job, "0");
    assertThat(resumed.statusCode()).isEqualTo(200);
    List<String> all;
    try (SseLines lines = new SseLines(resumed.body())) {
      all = lines.toEnd(WAIT);
    }
    assertThat(all).filteredOn(l -> l.startsWith("id: ")).containsExactly("id: 2", "id: done");
    assertThat(all).filteredOn(l -> l.startsWith("event: ")).containsExactly("event: progress", "event: done");

    HttpResponse<InputStream> finished = events(job, "done");
    assertThat(finished.statusCode()).isEqualTo(204);
    finished.body().close();

    HttpResponse<InputStream> other = events(UUID.randomUUID().toString(), "0");
    assertThat(other.statusCode()).isEqualTo(404);
    other.body().close();
  }

  @Test
  @DisplayName("a request that is not a stream still gets 504 with the error contract at http.requestTimeoutMs")
  void plainRequestsKeepTheBudget() throws Exception {
    String kb = newKb();
    try (Connection lock = lockDocuments()) {
      long started = System.nanoTime();
      HttpResponse<String> late = server.postJson("/v1/kbs/" + kb + "/documents",
        new JsonObject().put("documents", new JsonArray().add(document(0))).encode());
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(REQUEST_TIMEOUT_MS));
      assertThat(late.statusCode()).isEqualTo(504);
      assertThat(TestServer.json(late).getJsonObject("error").getString("code")).isEqualTo("timeout");
      lock.rollback();
    }
    // the ingestion was accepted: it completes once the lock is gone, though the client heard 504
    await().atMost(WAIT).until(() -> server.get("/v1/kbs/" + kb + "/documents/d0").statusCode() == 200);
  }

  private static String newKb() {
    String kb = "jobs-" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(server.postJson("/v1/kbs", "{\"name\":\"" + kb + "\"}").statusCode()).isEqualTo(201);
    return kb;
  }

  private static JsonObject document(int i) {
    return new JsonObject().put("id", "d" + i).put("text", "Document " + i + " is about the printers on floor " + i + ".");
  }

  /** Starts an ingestion job of {@code documents} documents in a new knowledge base; its id. */
  private static String startJob(int documents) {
    String kb = newKb();
    JsonArray docs = new JsonArray();
    for (int i = 0; i < documents; i++) {
      docs.add(document(i));
    }
    HttpResponse<String> accepted = server.postJson("/v1/kbs/" + kb + "/documents", new JsonObject().put("documents", docs).encode());
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    return TestServer.json(accepted).getJsonObject("job").getString("id");
  }

  private static HttpResponse<InputStream> events(String job, String lastEventId) throws Exception {
    HttpRequest.Builder request = server.authed("/v1/jobs/" + job + "/events").header("Accept-Encoding", "gzip")
      .header("Accept", "text/event-stream").GET();
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  /** A transaction holding the documents table: ingestion's inserts wait until it ends. */
  private static Connection lockDocuments() throws Exception {
    PgConnectOptions pg = PgConnectOptions.fromUri(server.ganglion().config().postgres().url());
    Connection connection = DriverManager.getConnection(
      "jdbc:postgresql://" + pg.getHost() + ":" + pg.getPort() + "/" + pg.getDatabase(), pg.getUser(), pg.getPassword());
    connection.setAutoCommit(false);
    connection.createStatement().execute("lock table documents in exclusive mode");
    return connection;
  }
}
