package io.ganglion.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.ganglion.TestServer;
import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Model lifecycle through /v1/admin/models")
class ModelAdminIT {

  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.shared();
  }

  static List<String> loaded() {
    JsonArray models = TestServer.json(server.get("/v1/admin/models")).getJsonArray("models");
    return models.stream().map(m -> ((JsonObject) m).getString("ref")).toList();
  }

  @Test
  @DisplayName("a model loads at runtime warm and is recorded for nodes that join later, a KB can record it, it cannot be unloaded while used, then it can, and its record goes")
  void loadUseUnload() {
    assertThat(loaded()).contains("bge-small-en-v1.5@1");
    HttpResponse<String> load = server.postJson("/v1/admin/models",
      new JsonObject().put("name", "bge-small-en-v1.5").put("version", "2").encode());
    assertThat(load.statusCode()).as(load.body()).isEqualTo(201);
    assertThat(TestServer.json(load).getString("ref")).isEqualTo("bge-small-en-v1.5@2");
    assertThat(TestServer.json(load).getBoolean("current")).as("a bare name still means version 1").isFalse();
    assertThat(loaded()).contains("bge-small-en-v1.5@2");
    io.ganglion.cluster.ClusterTable runtime = io.ganglion.cluster.Cluster.membership(server.ganglion().vertx())
      .table(io.ganglion.inference.impl.RuntimeModels.TABLE);
    assertThat(new JsonObject(runtime.get("bge-small-en-v1.5@2")).getString("version"))
      .as("the entry a joining node loads").isEqualTo("2");
    assertThat(server.postJson("/v1/admin/models", new JsonObject().put("name", "bge-small-en-v1.5")
      .put("version", "2").encode()).statusCode()).isEqualTo(409);

    HttpResponse<String> kb = server.postJson("/v1/kbs", new JsonObject().put("name", "on-v2")
      .put("model", "bge-small-en-v1.5@2").encode());
    assertThat(kb.statusCode()).as(kb.body()).isEqualTo(201);
    assertThat(TestServer.json(kb).getJsonObject("embedding").getString("model")).isEqualTo("bge-small-en-v1.5@2");
    assertThat(server.postJson("/v1/kbs/on-v2/documents", new JsonObject().put("documents", new JsonArray()
      .add(new JsonObject().put("id", "d").put("text", "Version two embeds this document about gardens."))).encode())
      .statusCode()).isEqualTo(200);
    JsonObject hits = TestServer.json(server.postJson("/v1/kbs/on-v2/search",
      new JsonObject().put("query", "gardens").put("mode", "vector").encode()));
    assertThat(hits.getJsonArray("hits")).hasSize(1);

    HttpResponse<String> refused = server.delete("/v1/admin/models/bge-small-en-v1.5@2");
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(TestServer.json(refused).getJsonObject("error").getString("message")).contains("on-v2");
    assertThat(server.delete("/v1/admin/models/bge-small-en-v1.5@1").statusCode()).as("the default").isEqualTo(409);

    assertThat(server.delete("/v1/kbs/on-v2").statusCode()).isEqualTo(204);
    HttpResponse<String> unloaded = server.delete("/v1/admin/models/bge-small-en-v1.5@2");
    assertThat(unloaded.statusCode()).as(unloaded.body()).isEqualTo(200);
    assertThat(loaded()).doesNotContain("bge-small-en-v1.5@2");
    assertThat(runtime.get("bge-small-en-v1.5@2")).as("no record once unloaded").isNull();
    assertThat(server.delete("/v1/admin/models/bge-small-en-v1.5@2").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("two versions of a reranker split its traffic by weight, and each version's use is metered")
  void abSplit() {
    for (String[] v : new String[][]{{"1", "1"}, {"2", "3"}}) {
      HttpResponse<String> load = server.postJson("/v1/admin/models", new JsonObject().put("name", "pair")
        .put("version", v[0]).put("weight", Double.parseDouble(v[1])).put("kind", "reranker")
        .put("resource", "bge-small-en-v1.5-q").put("pooling", "cls").encode());
      assertThat(load.statusCode()).as(load.body()).isEqualTo(201);
    }
    Vertx vertx = server.ganglion().vertx();
    int second = 0;
    int n = 200;
    for (int i = 0; i < n; i++) {
      JsonObject reply = vertx.eventBus().<JsonObject>request(Addresses.INFERENCE_RERANK, new JsonObject()
          .put("model", "pair").put("query", "q" + i).put("passages", new JsonArray().add("p")), Deadlines.within(30_000))
        .await().body();
      if ("2".equals(reply.getString("version"))) {
        second++;
      }
    }
    assertThat(second).isBetween(120, 180);
    String metrics = server.send(server.request("/metrics").GET().build()).body();
    assertThat(metrics).contains("ganglion_inference_variant_latency_seconds_count{model=\"pair\",version=\"1\"")
      .contains("ganglion_inference_variant_latency_seconds_count{model=\"pair\",version=\"2\"");
    assertThat(server.delete("/v1/admin/models/pair@1").statusCode()).as("a reranker is used by no KB").isEqualTo(200);
    assertThat(server.delete("/v1/admin/models/pair@2").statusCode()).isEqualTo(200);
  }
}
