package io.ganglion.inference;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

@DisplayName("OpenAI-compatible /v1/embeddings on the real bge-small model")
class EmbeddingsIT {

  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.shared();
  }

  static JsonObject embed(String json) {
    HttpResponse<String> response = server.postJson("/v1/embeddings", json);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return TestServer.json(response);
  }

  static double cosine(JsonArray a, JsonArray b) {
    double dot = 0;
    for (int i = 0; i < a.size(); i++) {
      dot += ((Number) a.getValue(i)).doubleValue() * ((Number) b.getValue(i)).doubleValue();
    }
    return dot;
  }

  @Test
  @DisplayName("answers the OpenAI shape with unit vectors whose similarities make sense")
  void contract() {
    JsonObject reply = embed(new JsonObject().put("model", "bge-small-en-v1.5").put("input", new JsonArray()
      .add("A man is eating food.").add("A man is eating a piece of bread.").add("The girl is carrying a baby.")).encode());
    assertThat(reply.getString("object")).isEqualTo("list");
    assertThat(reply.getString("model")).isEqualTo("bge-small-en-v1.5");
    JsonArray data = reply.getJsonArray("data");
    assertThat(data).hasSize(3);
    assertThat(data.getJsonObject(2).getInteger("index")).isEqualTo(2);
    assertThat(data.getJsonObject(0).getString("object")).isEqualTo("embedding");
    JsonArray food = data.getJsonObject(0).getJsonArray("embedding");
    JsonArray bread = data.getJsonObject(1).getJsonArray("embedding");
    JsonArray baby = data.getJsonObject(2).getJsonArray("embedding");
    assertThat(food).hasSize(384);
    assertThat(cosine(food, food)).isCloseTo(1.0, within(1e-3));
    assertThat(cosine(food, bread)).isGreaterThan(cosine(food, baby) + 0.1);
    assertThat(reply.getJsonObject("usage").getInteger("prompt_tokens")).isPositive()
      .isEqualTo(reply.getJsonObject("usage").getInteger("total_tokens"));
  }

  @Test
  @DisplayName("GET /v1/models lists the in-process embedding model")
  void modelsListed() {
    JsonArray data = TestServer.json(server.get("/v1/models")).getJsonArray("data");
    assertThat(data.stream().map(m -> ((JsonObject) m).getString("id"))).contains("bge-small-en-v1.5");
  }

  @Test
  @DisplayName("base64 encoding is little-endian float32 equal to the float encoding, as the OpenAI SDK decodes it")
  void base64() {
    JsonArray floats = embed("{\"input\":\"hello world\"}").getJsonArray("data").getJsonObject(0).getJsonArray("embedding");
    String encoded = embed("{\"input\":\"hello world\",\"encoding_format\":\"base64\"}")
      .getJsonArray("data").getJsonObject(0).getString("embedding");
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(encoded)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.remaining()).isEqualTo(384 * 4);
    for (int i = 0; i < 384; i++) {
      assertThat(bytes.getFloat()).isEqualTo(((Number) floats.getValue(i)).floatValue());
    }
  }

  @Test
  @DisplayName("dimensions truncates and re-normalises")
  void dimensions() {
    JsonArray cut = embed("{\"input\":\"hello world\",\"dimensions\":64}").getJsonArray("data").getJsonObject(0).getJsonArray("embedding");
    assertThat(cut).hasSize(64);
    assertThat(cosine(cut, cut)).isCloseTo(1.0, within(1e-3));
    assertThat(server.postJson("/v1/embeddings", "{\"input\":\"x\",\"dimensions\":1000}").statusCode()).isEqualTo(400);
  }

  @Test
  @DisplayName("unknown model 404, empty input 400, too many inputs 413")
  void errors() {
    assertThat(server.postJson("/v1/embeddings", "{\"model\":\"gpt-nope\",\"input\":\"x\"}").statusCode()).isEqualTo(404);
    assertThat(server.postJson("/v1/embeddings", "{\"input\":\"\"}").statusCode()).isEqualTo(400);
    assertThat(server.postJson("/v1/embeddings", "{\"input\":[]}").statusCode()).isEqualTo(400);
    assertThat(server.postJson("/v1/embeddings", "{\"input\":[[1,2,3]]}").statusCode()).isEqualTo(400);
    JsonArray many = new JsonArray();
    for (int i = 0; i < 300; i++) {
      many.add("text " + i);
    }
    assertThat(server.postJson("/v1/embeddings", new JsonObject().put("input", many).encode()).statusCode()).isEqualTo(413);
  }

  @Test
  @DisplayName("a full queue answers 503 overloaded with Retry-After, and the server recovers")
  void overload() throws Exception {
    Path dataDir = Files.createTempDirectory(Path.of("target"), "overload-");
    try (TestServer small = TestServer.start(dataDir, Map.of("inference.maxBatch", "1", "inference.queueCapacity", "1"))) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      String body = new JsonObject().put("input", new JsonArray().add("one sentence to embed, of moderate length")).encode();
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        calls.add(client.sendAsync(small.authed("/v1/embeddings").header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
      }
      List<HttpResponse<String>> responses = calls.stream().map(CompletableFuture::join).toList();
      assertThat(responses).allMatch(r -> r.statusCode() == 200 || r.statusCode() == 503);
      HttpResponse<String> rejected = responses.stream().filter(r -> r.statusCode() == 503).findFirst().orElseThrow();
      assertThat(rejected.headers().firstValue("Retry-After")).isPresent();
      assertThat(TestServer.json(rejected).getJsonObject("error").getString("code")).isEqualTo("overloaded");
      assertThat(small.postJson("/v1/embeddings", body).statusCode()).isEqualTo(200);
      // more inputs than the whole queue holds can never fit: a size limit (413), not overload
      HttpResponse<String> oversized = small.postJson("/v1/embeddings", "{\"input\":[\"one\",\"two\"]}");
      assertThat(oversized.statusCode()).isEqualTo(413);
      assertThat(TestServer.json(oversized).getJsonObject("error").getString("code")).isEqualTo("payload_too_large");
    }
  }

  @Test
  @DisplayName("batches run on the worker verticles of the named pool ganglion-inference, as Vert.x's pool meters show")
  void runsOnTheNamedWorkerPool() {
    embed(new JsonObject().put("input", "Which pool ran this batch?").encode());
    String metrics = server.send(server.request("/metrics").GET().build()).body();
    double completed = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("vertx_pool_") && line.contains("pool_name=\"ganglion-inference\"")
        && line.contains("_completed_total")) {
        completed += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    assertThat(completed).as("tasks the ganglion-inference pool completed").isPositive();
  }
}
