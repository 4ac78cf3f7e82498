package io.ganglion.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code PUT /v1/kbs/{kb}} with a model: the knowledge base is re-embedded in the background into a shadow and switched
 * when done, while searches keep answering. The second model is all-MiniLM-L6-v2 (its langchain4j jar is a test
 * dependency), loaded by name through {@code /v1/admin/models}.
 */
@DisplayName("Changing a knowledge base's embedding model")
class KbModelChangeIT {

  static final String MINILM = "all-minilm-l6-v2@1";
  static final String BGE = "bge-small-en-v1.5@1";
  static final String[] TOPICS = {"volcanoes erupt lava and ash", "sourdough bread needs a starter culture",
    "chess openings control the centre", "tides follow the moon's pull", "violins are strung with gut or steel",
    "glaciers carve valleys over centuries", "compost turns kitchen scraps into soil", "lighthouses warn ships of rocks",
    "bees pollinate orchards in spring", "telescopes gather faint starlight"};

  static TestServer server;
  static boolean loadedHere;

  @BeforeAll
  static void start() {
    server = TestServer.shared();
    HttpResponse<String> load = server.postJson("/v1/admin/models",
      new JsonObject().put("name", "all-minilm-l6-v2").encode());
    assertThat(load.statusCode()).as(load.body()).isIn(201, 409);
    loadedHere = load.statusCode() == 201;
  }

  @AfterAll
  static void unload() {
    for (String kb : List.of("remodel", "cancelled-change")) {
      server.delete("/v1/kbs/" + kb);
    }
    if (loadedHere) {
      // refused while a knowledge base (or the hidden old one of a switch, until it is dropped) still uses it
      await().atMost(Duration.ofSeconds(60)).until(() -> server.delete("/v1/admin/models/" + MINILM).statusCode() != 409);
    }
  }

  static HttpResponse<String> put(String path, JsonObject body) {
    return server.send(server.authed(path).header("Content-Type", "application/json")
      .PUT(HttpRequest.BodyPublishers.ofString(body.encode())).build());
  }

  /** Documents with the topics (in a seeded order, several sentences each, so sentence vectors are stored too). */
  static void fill(String kb, int count) {
    Random random = new Random(14);
    JsonArray docs = new JsonArray();
    for (int i = 0; i < count; i++) {
      String topic = TOPICS[i % TOPICS.length];
      docs.add(new JsonObject().put("id", "doc-" + i).put("text", "Note " + i + ". Here " + topic + ". "
        + "It is said that " + TOPICS[random.nextInt(TOPICS.length)] + ". Finally, " + topic + " again."));
    }
    HttpResponse<String> ingest = server.postJson("/v1/kbs/" + kb + "/documents",
      new JsonObject().put("documents", docs).encode());
    assertThat(ingest.statusCode()).as(ingest.body()).isIn(200, 202);
    await().atMost(Duration.ofSeconds(120)).until(() -> TestServer.json(server.get("/v1/kbs/" + kb))
      .getInteger("documents") == count);
  }

  static JsonObject job(String id) {
    return TestServer.json(server.get("/v1/jobs/" + id));
  }

  static JsonObject embedding(String kb) {
    return TestServer.json(server.get("/v1/kbs/" + kb)).getJsonObject("embedding");
  }

  static double items(String model, String lane) {
    String metrics = server.send(server.request("/metrics").GET().build()).body();
    double total = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("ganglion_inference_items_total{") && line.contains("model=\"" + model + "\"")
        && line.contains("lane=\"" + lane + "\"")) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  @Test
  @DisplayName("re-embeds in the background while every search answers, keeps what arrives meanwhile, switches, and refuses a second change")
  void changeWhileSearching() {
    assertThat(server.postJson("/v1/kbs", new JsonObject().put("name", "remodel").encode()).statusCode()).isEqualTo(201);
    fill("remodel", 60);
    assertThat(embedding("remodel").getString("model")).isEqualTo(BGE);
    double bulkBefore = items("all-minilm-l6-v2@1", "bulk");

    AtomicBoolean searching = new AtomicBoolean(true);
    AtomicInteger answered = new AtomicInteger();
    List<String> failures = new ArrayList<>();
    CompletableFuture<Void> searches = CompletableFuture.runAsync(() -> {
      int n = 0;
      while (searching.get()) {
        HttpResponse<String> r = server.postJson("/v1/kbs/remodel/search", new JsonObject()
          .put("query", "which insects pollinate orchards " + (n++ % 7)).put("mode", "vector").put("k", 3).encode());
        if (r.statusCode() / 100 != 2) {
          synchronized (failures) {
            failures.add(r.statusCode() + " " + r.body());
          }
        } else {
          answered.incrementAndGet();
        }
      }
    });

    await().atMost(Duration.ofSeconds(30)).until(() -> answered.get() >= 3);
    HttpResponse<String> change = put("/v1/kbs/remodel", new JsonObject().put("model", "all-minilm-l6-v2"));
    assertThat(change.statusCode()).as(change.body()).isEqualTo(202);
    JsonObject started = TestServer.json(change);
    assertThat(started.getString("model")).isEqualTo(MINILM);
    String jobId = started.getJsonObject("job").getString("id");

    HttpResponse<String> second = put("/v1/kbs/remodel", new JsonObject().put("model", BGE));
    assertThat(second.statusCode()).as("a second change while one runs: " + second.body()).isEqualTo(409);
    assertThat(TestServer.json(second).getJsonObject("error").getString("message")).contains(jobId);

    // ingestion while the change runs lands on the old knowledge base and is replayed into the new one
    HttpResponse<String> late = server.postJson("/v1/kbs/remodel/documents", new JsonObject().put("documents",
      new JsonArray().add(new JsonObject().put("id", "late").put("text",
        "Fjords are flooded valleys that glaciers deepened. Norway has many."))).encode());
    assertThat(late.statusCode()).as(late.body()).isEqualTo(200);
    assertThat(embedding("remodel").getString("model")).as("searches still use the old model").isEqualTo(BGE);

    await().atMost(Duration.ofSeconds(120)).until(() -> !job(jobId).getString("status").equals("running"));
    JsonObject finished = job(jobId);
    assertThat(finished.getString("status")).as(finished.encode()).isEqualTo("done");
    assertThat(finished.getString("kind")).isEqualTo("model");
    assertThat(finished.getString("model")).isEqualTo(MINILM);
    assertThat(finished.getString("kb")).isEqualTo("remodel");
    assertThat(finished.getInteger("chunks")).isGreaterThanOrEqualTo(60);

    JsonObject kb = TestServer.json(server.get("/v1/kbs/remodel"));
    assertThat(kb.getJsonObject("embedding").getString("model")).isEqualTo(MINILM);
    assertThat(kb.getJsonObject("embedding").getInteger("dims")).isEqualTo(384);
    assertThat(items(MINILM, "bulk") - bulkBefore).as("re-embedded through the bulk lane").isGreaterThanOrEqualTo(60);
    await().atMost(Duration.ofSeconds(30)).until(() -> TestServer.json(server.get("/v1/kbs/remodel"))
      .getInteger("documents") == 61);

    double interactiveBefore = items(MINILM, "interactive");
    JsonObject hits = TestServer.json(server.postJson("/v1/kbs/remodel/search", new JsonObject()
      .put("query", "fjords deepened by glaciers in Norway").put("mode", "vector").put("k", 1).encode()));
    assertThat(hits.getJsonArray("hits").getJsonObject(0).getString("documentId"))
      .as("the document ingested during the change, found by the new model's query vector").isEqualTo("late");
    assertThat(items(MINILM, "interactive") - interactiveBefore).as("the query embedded by the new model")
      .isGreaterThanOrEqualTo(1);
    JsonObject bees = TestServer.json(server.postJson("/v1/kbs/remodel/search", new JsonObject()
      .put("query", "bees pollinate orchards").put("mode", "vector").put("k", 3).encode()));
    assertThat(bees.getJsonArray("hits").getJsonObject(0).getString("text")).contains("bees pollinate orchards");

    searching.set(false);
    searches.join();
    assertThat(failures).as("searches during the change").isEmpty();
    assertThat(answered.get()).isGreaterThan(3);

    JsonArray names = TestServer.json(server.get("/v1/kbs?limit=500")).getJsonArray("kbs");
    assertThat(names.stream().map(o -> ((JsonObject) o).getString("name")).toList())
      .as("hidden shadows and old copies are never listed").noneMatch(n -> n.startsWith("~"));
    assertThat(server.delete("/v1/admin/models/" + MINILM).statusCode()).as("unloading a model a KB uses")
      .isEqualTo(409);
  }

  @Test
  @DisplayName("an unknown model is refused with 400, the same model is a no-op, and a cancelled change keeps the old model")
  void refusalsAndCancel() {
    assertThat(server.postJson("/v1/kbs", new JsonObject().put("name", "cancelled-change").encode()).statusCode())
      .isEqualTo(201);
    fill("cancelled-change", 40);

    HttpResponse<String> unknown = put("/v1/kbs/cancelled-change", new JsonObject().put("model", "no-such-model"));
    assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(400);
    assertThat(TestServer.json(unknown).getJsonObject("error").getString("message")).contains("no-such-model");
    assertThat(put("/v1/kbs/cancelled-change", new JsonObject().put("model", BGE).put("shards", 3)).statusCode())
      .as("only the model can change").isEqualTo(400);
    assertThat(put("/v1/kbs/no-such-kb", new JsonObject().put("model", MINILM)).statusCode()).isEqualTo(404);
    HttpResponse<String> same = put("/v1/kbs/cancelled-change", new JsonObject().put("model", BGE));
    assertThat(same.statusCode()).as(same.body()).isEqualTo(200);
    assertThat(TestServer.json(same).getValue("job")).isNull();

    HttpResponse<String> change = put("/v1/kbs/cancelled-change", new JsonObject().put("model", MINILM));
    assertThat(change.statusCode()).as(change.body()).isEqualTo(202);
    String jobId = TestServer.json(change).getJsonObject("job").getString("id");
    HttpResponse<String> cancel = server.delete("/v1/jobs/" + jobId);
    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(204);
    assertThat(job(jobId).getString("status")).isEqualTo("failed");
    assertThat(server.delete("/v1/jobs/" + jobId).statusCode()).as("nothing left to cancel").isEqualTo(404);

    // the run stops at its next page or lease renewal and drops its shadow; the switch checks the job is still running
    assertThat(embedding("cancelled-change").getString("model")).isEqualTo(BGE);
    JsonObject hits = TestServer.json(server.postJson("/v1/kbs/cancelled-change/search", new JsonObject()
      .put("query", "volcanoes erupt lava").put("mode", "vector").put("k", 1).encode()));
    assertThat(hits.getJsonArray("hits").getJsonObject(0).getString("text")).contains("volcanoes");
  }
}
