package io.ganglion.http;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static io.ganglion.http.SecurityIT.as;
import static io.ganglion.http.SecurityIT.createKey;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("One tenant never sees another's data, on any route")
class TenancyIT {

  static TestServer server;
  static String owner;
  static String stranger;
  static String traceId;
  static String conversationId;
  static String jobId;

  @BeforeAll
  static void setUp() {
    server = TestServer.shared();
    String scopes = "[\"kb:read\",\"kb:write\",\"chat\"]";
    owner = createKey("tenancy-owner", scopes, "").getString("key");
    stranger = createKey("tenancy-stranger", scopes, "").getString("key");
    assertThat(as(owner, "POST", "/v1/kbs", "{\"name\":\"private\"}").statusCode()).isEqualTo(201);
    JsonArray docs = new JsonArray();
    for (int i = 0; i < 25; i++) {
      docs.add(new JsonObject().put("id", "secret-" + i).put("text", "The launch code of project " + i + " is kept in the vault."));
    }
    HttpResponse<String> job = as(owner, "POST", "/v1/kbs/private/documents", new JsonObject().put("documents", docs).encode());
    assertThat(job.statusCode()).isEqualTo(202);
    jobId = TestServer.json(job).getJsonObject("job").getString("id");
    as(owner, "GET", "/v1/jobs/" + jobId + "/events", null);
    JsonObject answer = TestServer.json(as(owner, "POST", "/v1/kbs/private/ask", "{\"question\":\"Where is the launch code kept?\"}"));
    traceId = answer.getString("traceId");
    conversationId = answer.getString("conversationId");
    assertThat(traceId).isNotNull();
  }

  @Test
  @DisplayName("the owner can read everything it made")
  void ownerSeesItsData() {
    assertThat(as(owner, "GET", "/v1/kbs/private/documents/secret-1", null).statusCode()).isEqualTo(200);
    assertThat(as(owner, "GET", "/v1/traces/" + traceId, null).statusCode()).isEqualTo(200);
    assertThat(as(owner, "GET", "/v1/jobs/" + jobId, null).statusCode()).isEqualTo(200);
    assertThat(as(owner, "POST", "/v1/kbs/private/search", "{\"query\":\"launch code\"}").statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("another tenant gets 404 on the KB, its documents, search, ask, chat, jobs, traces and conversations")
  void strangerGetsNotFound() {
    String[][] calls = {
      {"GET", "/v1/kbs/private", null},
      {"DELETE", "/v1/kbs/private", null},
      {"GET", "/v1/kbs/private/documents/secret-1", null},
      {"DELETE", "/v1/kbs/private/documents/secret-1", null},
      {"POST", "/v1/kbs/private/documents", "{\"documents\":[{\"id\":\"x\",\"text\":\"overwrite\"}]}"},
      {"POST", "/v1/kbs/private/search", "{\"query\":\"launch code\"}"},
      {"POST", "/v1/kbs/private/ask", "{\"question\":\"Where is the launch code kept?\"}"},
      {"POST", "/v1/chat/completions", "{\"model\":\"kb:private\",\"messages\":[{\"role\":\"user\",\"content\":\"launch code?\"}]}"},
      {"GET", "/v1/jobs/" + jobId, null},
      {"GET", "/v1/jobs/" + jobId + "/events", null},
      {"GET", "/v1/traces/" + traceId, null},
      {"POST", "/v1/traces/" + traceId + "/feedback", "{\"rating\":-1}"},
      {"GET", "/v1/conversations/" + conversationId, null},
    };
    for (String[] call : calls) {
      HttpResponse<String> response = as(stranger, call[0], call[1], call[2]);
      assertThat(response.statusCode()).as(call[0] + " " + call[1] + " -> " + response.body()).isEqualTo(404);
    }
    JsonArray models = TestServer.json(as(stranger, "GET", "/v1/models", null)).getJsonArray("data");
    assertThat(models.stream().map(m -> ((JsonObject) m).getString("id"))).doesNotContain("kb:private");
    // and nothing of the owner's changed
    assertThat(TestServer.json(as(owner, "GET", "/v1/kbs/private", null)).getInteger("documents")).isEqualTo(25);
    assertThat(as(owner, "GET", "/v1/kbs/private/documents/secret-1", null).statusCode()).isEqualTo(200);
  }
}
