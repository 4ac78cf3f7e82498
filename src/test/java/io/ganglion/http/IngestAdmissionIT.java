package io.ganglion.http;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ingestion admission by deadline, through HTTP, against the real embedding model. Two jobs of long documents (each
 * chunk's sentences embedded too; a node runs two jobs at once, a slice of each in its backlog) fill the node's
 * ingestion backlog for several request budgets; a synchronous
 * ingest beside it is refused at once with 503 {@code overloaded} and {@code Retry-After}, stores nothing, while the
 * job indexes every document without one failure. Once the backlog is gone the same ingest is served.
 * <p>
 * The request budget is {@value #BUDGET_MS} ms; the test waits, bounded, until the node's own expected wait
 * ({@code ganglion_retrieval_ingest_wait_seconds}) is well past it, so it does not depend on the machine's speed.
 */
@DisplayName("Ingestion admission by deadline")
class IngestAdmissionIT {

  static final long BUDGET_MS = 2_000;
  static final String KB = "admission";
  /** Per job: one slice (what a job puts in the backlog at once) of long documents, inside the test's body limit. */
  static final int JOB_DOCUMENTS = 20;
  static final int SENTENCES = 60;

  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Files.createTempDirectory(Path.of("target"), "ingest-admission-"), Map.of(
      "http.requestTimeoutMs", Long.toString(BUDGET_MS)));
    assertThat(server.postJson("/v1/kbs", new JsonObject().put("name", KB).encode()).statusCode()).isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @DisplayName("over a full ingestion backlog a synchronous ingest gets a prompt 503 overloaded with Retry-After while a job beside it indexes every document")
  void syncRefusedJobCompletes() {
    Random random = new Random(17);
    List<String> jobs = new ArrayList<>();
    for (int j = 0; j < 2; j++) {
      JsonArray documents = new JsonArray();
      for (int i = 0; i < JOB_DOCUMENTS; i++) {
        documents.add(new JsonObject().put("id", "job-" + j + "-" + i).put("text", text(random, SENTENCES)));
      }
      // 20 documents are not above retrieval.asyncThreshold: Prefer makes them a job
      HttpResponse<String> accepted = server.send(server.authed("/v1/kbs/" + KB + "/documents")
        .header("Content-Type", "application/json").header("Prefer", "respond-async")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("documents", documents).encode())).build());
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      assertThat(accepted.headers().firstValue("Preference-Applied")).hasValue("respond-async");
      jobs.add(TestServer.json(accepted).getJsonObject("job").getString("id"));
    }

    await("the ingestion backlog outlasts the request budget").atMost(Duration.ofMinutes(2))
      .pollInterval(Duration.ofMillis(50)).until(() -> expectedWaitSeconds() * 1000 > BUDGET_MS + 1_000);
    assertThat(metric("ganglion_retrieval_ingest_backlog_texts")).isPositive();
    String single = new JsonObject().put("documents", new JsonArray().add(new JsonObject().put("id", "sync-1")
      .put("text", text(random, 5)))).encode();
    long sent = System.nanoTime();
    HttpResponse<String> refused = server.postJson("/v1/kbs/" + KB + "/documents", single);
    long millis = Duration.ofNanos(System.nanoTime() - sent).toMillis();
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    JsonObject error = TestServer.json(refused).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("overloaded");
    assertThat(error.getString("message")).contains("ingestion is overloaded", "Prefer: respond-async");
    assertThat(millis).as("refused at once, not after the budget").isLessThan(BUDGET_MS);
    assertThat(server.get("/v1/kbs/" + KB + "/documents/sync-1").statusCode()).as("nothing stored").isEqualTo(404);

    for (String job : jobs) {
      await("the job finishes").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
        .until(() -> List.of("done", "failed").contains(status(job).getString("status")));
      JsonObject done = status(job);
      assertThat(done.getString("status")).as(done.encode()).isEqualTo("done");
      assertThat(done.getInteger("done")).isEqualTo(JOB_DOCUMENTS);
      assertThat(done.getInteger("failed")).as("a job never fails a document for overload").isZero();
    }

    HttpResponse<String> served = server.postJson("/v1/kbs/" + KB + "/documents", single);
    assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
    assertThat(TestServer.json(served).getJsonArray("documents").getJsonObject(0).getString("status")).isEqualTo("indexed");
    assertThat(metric("ganglion_retrieval_ingest_overloaded_total")).isGreaterThanOrEqualTo(1);
  }

  private static JsonObject status(String job) {
    return TestServer.json(server.get("/v1/jobs/" + job));
  }

  private static double expectedWaitSeconds() {
    return metric("ganglion_retrieval_ingest_wait_seconds");
  }

  private static double metric(String name) {
    String metrics = server.send(server.request("/metrics").GET().build()).body();
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  /** {@code sentences} sentences of 10 to 20 words from a fixed vocabulary. */
  static String text(Random random, int sentences) {
    String[] words = ("vacation request approval manager budget travel expense report policy onboarding laptop "
      + "security badge office holiday schedule payroll benefit training review contract invoice supplier audit "
      + "quarter forecast team meeting project deadline customer support ticket release deployment server backup")
      .split(" ");
    StringBuilder text = new StringBuilder();
    for (int s = 0; s < sentences; s++) {
      int n = 10 + random.nextInt(11);
      for (int w = 0; w < n; w++) {
        String word = words[random.nextInt(words.length)];
        text.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word).append(w + 1 < n ? " " : ". ");
      }
    }
    return text.toString().trim();
  }
}
