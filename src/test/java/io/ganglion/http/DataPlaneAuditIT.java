package io.ganglion.http;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DisplayName("Audit of the data plane")
class DataPlaneAuditIT {

  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.shared();
  }

  @Test
  @DisplayName("knowledge base create and delete, ingestion and document delete are audited with who, what, when and the request id")
  void dataPlaneChanges() {
    java.net.http.HttpResponse<String> created = server.postJson("/v1/admin/keys",
      "{\"tenant\":\"audited\",\"scopes\":[\"kb:read\",\"kb:write\"],\"name\":\"ingester\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String secret = TestServer.json(created).getString("key");
    assertThat(send(secret, "POST", "/v1/kbs", "{\"name\":\"ledger\"}", "rid-kb-create").statusCode()).isEqualTo(201);
    assertThat(send(secret, "POST", "/v1/kbs/ledger/documents", new JsonObject().put("documents", new JsonArray()
      .add(new JsonObject().put("id", "a").put("text", "Alpha entry of the ledger."))
      .add(new JsonObject().put("id", "b").put("text", "Beta entry of the ledger."))).encode(), "rid-ingest").statusCode())
      .isEqualTo(200);
    assertThat(send(secret, "DELETE", "/v1/kbs/ledger/documents/a", null, "rid-doc-delete").statusCode()).isEqualTo(204);
    assertThat(send(secret, "DELETE", "/v1/kbs/ledger/documents/a", null, "rid-doc-delete-again").statusCode())
      .isEqualTo(404); // nothing changed: no entry
    assertThat(send(secret, "DELETE", "/v1/kbs/ledger", null, "rid-kb-delete").statusCode()).isEqualTo(204);

    // entries are written after the response (an audit write never delays or fails the change): wait, bounded
    Map<String, JsonObject> byRequest = await().atMost(java.time.Duration.ofSeconds(10)).until(() -> TestServer.json(
        server.get("/v1/admin/audit?tenant=audited&limit=50")).getJsonArray("events").stream().map(e -> (JsonObject) e)
      .filter(e -> e.getString("requestId") != null && e.getString("requestId").startsWith("rid-"))
      .collect(Collectors.toMap(e -> e.getString("requestId"), Function.identity())), found -> found.size() >= 4);
    assertThat(byRequest.keySet()).containsExactlyInAnyOrder("rid-kb-create", "rid-ingest", "rid-doc-delete", "rid-kb-delete");

    assertThat(byRequest.get("rid-kb-create").getString("action")).isEqualTo("kb.create");
    assertThat(byRequest.get("rid-kb-create").getString("target")).isEqualTo("ledger");
    JsonObject ingest = byRequest.get("rid-ingest");
    assertThat(ingest.getString("action")).isEqualTo("documents.ingest");
    assertThat(ingest.getJsonObject("detail").getInteger("documents")).isEqualTo(2);
    assertThat(ingest.getJsonObject("detail").getJsonArray("ids").getList()).isEqualTo(List.of("a", "b"));
    assertThat(byRequest.get("rid-doc-delete").getString("target")).isEqualTo("ledger/a");
    assertThat(byRequest.get("rid-kb-delete").getString("action")).isEqualTo("kb.delete");
    for (JsonObject event : byRequest.values()) {
      assertThat(event.getString("tenant")).isEqualTo("audited");
      assertThat(event.getString("principal")).isNotBlank();
      assertThat(event.getString("source")).isEqualTo("127.0.0.1");
      assertThat(event.getString("at")).isNotBlank();
    }
  }

  private static java.net.http.HttpResponse<String> send(String key, String method, String path, String json, String rid) {
    HttpRequest.Builder builder = server.request(path).header("Authorization", "Bearer " + key).header("X-Request-Id", rid);
    if (json != null) {
      builder.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    } else {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return server.send(builder.build());
  }
}
