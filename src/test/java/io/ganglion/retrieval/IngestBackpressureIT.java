package io.ganglion.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Ingestion waits for a busy model instead of failing documents")
class IngestBackpressureIT {

  static final int JOBS = 20;
  static final int DOCUMENTS = 21;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    // lanes far smaller than what twenty jobs send at once
    server = TestServer.start(Files.createTempDirectory(Path.of("target"), "it-backpressure-"), Map.of(
      "jwt.secret", TestServer.JWT_SECRET, "inference.maxBatch", "4", "inference.queueCapacity", "8",
      "inference.bulkCapacity", "64", "inference.bulkMaxWaiting", "2", "retrieval.asyncThreshold", "1"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName("twenty concurrent ingestion jobs on a small queue finish with every document indexed, none failed")
  void twentyJobsNoneFailed() {
    assertThat(server.postJson("/v1/kbs", new JsonObject().put("name", "busy").encode()).statusCode()).isEqualTo(201);
    Random random = new Random(20);
    List<String> jobs = new ArrayList<>();
    for (int j = 0; j < JOBS; j++) {
      JsonArray docs = new JsonArray();
      for (int d = 0; d < DOCUMENTS; d++) {
        docs.add(new JsonObject().put("id", "j" + j + "-d" + d).put("text", "Document " + j + "." + d
          + " is about topic " + random.nextInt(1000) + ". It has a second sentence with more words in it. "
          + "And a third one closes the paragraph for topic " + random.nextInt(1000) + "."));
      }
      HttpResponse<String> accepted = server.postJson("/v1/kbs/busy/documents",
        new JsonObject().put("documents", docs).encode());
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      jobs.add(TestServer.json(accepted).getJsonObject("job").getString("id"));
    }

    for (String job : jobs) {
      await("job " + job).atMost(Duration.ofSeconds(100)).pollInterval(Duration.ofMillis(200))
        .until(() -> !TestServer.json(server.get("/v1/jobs/" + job)).getString("status").matches("queued|running"));
      JsonObject state = TestServer.json(server.get("/v1/jobs/" + job));
      assertThat(state.getString("status")).as(state.encode()).isEqualTo("done");
      assertThat(state.getInteger("failed")).as(state.encode()).isZero();
      assertThat(state.getInteger("done")).isEqualTo(DOCUMENTS);
    }
    assertThat(TestServer.json(server.get("/v1/kbs/busy")).getLong("documents")).isEqualTo((long) JOBS * DOCUMENTS);
  }
}
