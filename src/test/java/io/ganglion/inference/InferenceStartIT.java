package io.ganglion.inference;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A server restarted on the data of a knowledge base whose model was loaded at runtime from files that are gone by
 * the restart (so the restarted node, which loads the recorded runtime models, cannot load it), configured for CUDA
 * on this machine without CUDA: its warm-up cannot finish until the model is loaded again, which makes
 * {@code /ready}'s WARMING observable for as long as the test needs.
 */
@DisplayName("A server restarted without its knowledge base's runtime-loaded model, with inference.device cuda and no CUDA")
class InferenceStartIT {

  static final String V2 = "bge-small-en-v1.5@2";
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    Path data = Files.createTempDirectory(Path.of("target"), "inference-start-");
    // the model's files copied out of its jar: loaded from this directory, which is deleted before the restart
    Path files = Files.createTempDirectory(Path.of("target"), "inference-start-model-");
    copyResource("bge-small-en-v1.5-q.onnx", files.resolve("model.onnx"));
    copyResource("bge-small-en-v1.5-q-tokenizer.json", files.resolve("tokenizer.json"));
    try (TestServer first = TestServer.start(data, Map.of()).awaitReady()) {
      HttpResponse<String> load = first.postJson("/v1/admin/models", new JsonObject().put("name", "bge-small-en-v1.5")
        .put("version", "2").put("path", files.toString()).encode());
      assertThat(load.statusCode()).as(load.body()).isEqualTo(201);
      assertThat(first.postJson("/v1/kbs", new JsonObject().put("name", "warm").put("model", V2).encode())
        .statusCode()).isEqualTo(201);
      JsonArray documents = new JsonArray();
      for (int i = 0; i < 5; i++) {
        documents.add(new JsonObject().put("id", "d" + i).put("text", "Document " + i
          + " explains how the warm-up probe searches every knowledge base before the node reports ready."));
      }
      HttpResponse<String> ingested = first.postJson("/v1/kbs/warm/documents",
        new JsonObject().put("documents", documents).encode());
      assertThat(ingested.statusCode()).as(ingested.body()).isEqualTo(200);
    }
    // the restarted node reads the recorded runtime model and fails to load it (its files are gone)
    try (var paths = Files.walk(files)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
    server = TestServer.start(data, Map.of("inference.device", "cuda", "retrieval.warmupMs", "300000"));
  }

  private static void copyResource(String name, Path target) throws Exception {
    try (InputStream in = InferenceStartIT.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      Files.copy(in, target);
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @DisplayName("/ready answers 503 WARMING while the warm-up cannot probe the knowledge base, its searches are refused with 503 naming the missing model, and once the model is loaded the node turns ready and searches answer")
  void warmingUntilTheModelIsThere() {
    // the warm-up counts the knowledge bases once the node's copies are active; WARMING throughout
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
      HttpResponse<String> warming = server.get("/ready");
      assertThat(warming.statusCode()).as(warming.body()).isEqualTo(503);
      JsonObject body = TestServer.json(warming);
      assertThat(body.getString("status")).isEqualTo("WARMING");
      assertThat(body.getJsonObject("warmup").getInteger("warmed")).isZero();
      return body.getJsonObject("warmup").getInteger("of") == 1;
    });

    HttpResponse<String> refused = server.postJson("/v1/kbs/warm/search", "{\"query\":\"warm-up probe\"}");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    assertThat(TestServer.json(refused).getJsonObject("error").getString("message"))
      .contains("embedding model " + V2 + " is not loaded on node");
    assertThat(server.get("/ready").statusCode()).as("still warming").isEqualTo(503);

    HttpResponse<String> load = server.postJson("/v1/admin/models",
      new JsonObject().put("name", "bge-small-en-v1.5").put("version", "2").encode());
    assertThat(load.statusCode()).as(load.body()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
      .until(() -> server.get("/ready").statusCode() == 200);
    JsonObject ready = TestServer.json(server.get("/ready"));
    assertThat(ready.getJsonObject("warmup").getString("status")).isEqualTo("UP");
    assertThat(ready.getJsonObject("warmup").getInteger("warmed")).isEqualTo(1);

    HttpResponse<String> found = server.postJson("/v1/kbs/warm/search", "{\"query\":\"warm-up probe\"}");
    assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
    assertThat(TestServer.json(found).getJsonArray("hits")).isNotEmpty();
  }

  @Test
  @DisplayName("asked for CUDA on a machine without it, the server runs its models on CPU and says so in /metrics")
  void cudaFallsBackToCpu() {
    String metrics = server.send(server.request("/metrics").GET().build()).body();
    assertThat(metrics.lines().filter(l -> l.startsWith("ganglion_inference_device{")))
      .singleElement().satisfies(line -> assertThat(line)
        .contains("configured=\"cuda\"").contains("running=\"cpu\"").endsWith(" 1.0"));
    HttpResponse<String> embedded = server.postJson("/v1/embeddings",
      "{\"model\":\"bge-small-en-v1.5\",\"input\":\"runs on the CPU\"}");
    assertThat(embedded.statusCode()).as(embedded.body()).isEqualTo(200);
  }
}
