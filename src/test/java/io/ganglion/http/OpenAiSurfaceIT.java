package io.ganglion.http;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The OpenAI-compatible surface speaks OpenAI's errors and fields")
class OpenAiSurfaceIT {

  private static TestServer server;

  /** The three routes, each with a request that would succeed. */
  private static final List<String[]> ROUTES = List.of(
    new String[]{"POST", "/v1/chat/completions",
      "{\"model\":\"kb:oai-kb\",\"messages\":[{\"role\":\"user\",\"content\":\"How many days of paid leave?\"}]}"},
    new String[]{"POST", "/v1/embeddings", "{\"input\":\"hello\"}"},
    new String[]{"GET", "/v1/models", null});

  @BeforeAll
  static void setUp() {
    server = TestServer.shared();
    assertThat(server.postJson("/v1/kbs", "{\"name\":\"oai-kb\"}").statusCode()).isIn(201, 409);
    assertThat(server.postJson("/v1/kbs/oai-kb/documents", new JsonObject().put("documents", new JsonArray()
      .add(new JsonObject().put("id", "leave").put("text", "The vacation policy grants 25 days of paid leave per year. "
        + "Employees request leave in the HR portal. Unused days carry over to the next year."))).encode()).statusCode())
      .isEqualTo(200);
  }

  private static HttpResponse<String> call(String method, String path, String body, String key) {
    HttpRequest.Builder request = server.request(path);
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return server.send((body == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
      : request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body))).build());
  }

  private static JsonObject error(HttpResponse<String> response) {
    return new JsonObject(response.body()).getJsonObject("error");
  }

  private static String key(String scopes, Integer rpm) {
    JsonObject body = new JsonObject().put("tenant", "default").put("scopes", new JsonArray(List.of(scopes.split(","))));
    if (rpm != null) {
      body.put("rpm", rpm);
    }
    return new JsonObject(server.postJson("/v1/admin/keys", body.encode()).body()).getString("key");
  }

  @Test
  @DisplayName("errors raised before the route (401, 429, 413, unknown route) carry type, param, code and requestId on all three routes")
  void errorsBeforeTheRoute() {
    String big = "{\"input\":\"" + "x".repeat(TestServer.BODY_LIMIT + 10) + "\"}";
    for (String[] route : ROUTES) {
      HttpResponse<String> unauthorized = call(route[0], route[1], route[2], null);
      assertThat(unauthorized.statusCode()).as(route[1]).isEqualTo(401);
      assertThat(error(unauthorized).getMap()).as(route[1]).containsEntry("type", "authentication_error")
        .containsEntry("code", "unauthorized").containsKey("param").containsKey("message").containsKey("requestId");

      String limited = key("chat,kb:read", 1);
      call(route[0], route[1], route[2], limited);
      HttpResponse<String> tooMany = call(route[0], route[1], route[2], limited);
      assertThat(tooMany.statusCode()).as(route[1]).isEqualTo(429);
      assertThat(error(tooMany).getString("type")).isEqualTo("rate_limit_error");
      assertThat(tooMany.headers().firstValue("Retry-After")).isPresent();

      HttpResponse<String> tooLarge = call(route[0].equals("GET") ? "POST" : route[0], route[1], big, server.adminKey());
      assertThat(tooLarge.statusCode()).as(route[1]).isEqualTo(413);
      assertThat(error(tooLarge).getString("type")).isEqualTo("invalid_request_error");
      assertThat(error(tooLarge).getString("code")).isEqualTo("payload_too_large");

      HttpResponse<String> unknown = call("GET", route[1] + "/no/such/thing", null, server.adminKey());
      assertThat(unknown.statusCode()).as(route[1]).isEqualTo(404);
      assertThat(error(unknown).getString("type")).isEqualTo("not_found_error");
    }
    HttpResponse<String> elsewhere = call("GET", "/v1/kbs", null, null);
    assertThat(error(elsewhere).containsKey("type")).as("our own routes keep our shape").isFalse();
  }

  @Test
  @DisplayName("a field the server does not honour is refused with 400 naming it; n must be 1; param names the field at fault")
  void fieldPolicy() {
    // response_format asking for JSON: this server has no LLM provider, and the extractive generator answers in text
    for (String field : List.of("\"logprobs\":true", "\"tools\":[]", "\"n\":2", "\"response_format\":{\"type\":\"json_object\"}",
        "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\"}}", "\"response_format\":{\"type\":\"xml\"}",
        "\"top_p\":1.5")) {
      HttpResponse<String> refused = call("POST", "/v1/chat/completions", "{\"model\":\"kb:oai-kb\",\"messages\":[{\"role\":"
        + "\"user\",\"content\":\"hi\"}]," + field + "}", server.adminKey());
      assertThat(refused.statusCode()).as(field).isEqualTo(400);
      String name = field.substring(1, field.indexOf('"', 1));
      assertThat(error(refused).getString("param")).isEqualTo(name);
      assertThat(error(refused).getString("type")).isEqualTo("invalid_request_error");
    }
    HttpResponse<String> sampled = call("POST", "/v1/chat/completions", "{\"model\":\"kb:oai-kb\",\"seed\":7,"
      + "\"user\":\"u-1\",\"top_p\":0.9,\"response_format\":{\"type\":\"text\"},\"messages\":[{\"role\":\"user\",\"content\":\"How many days of paid leave?\"}]}", server.adminKey());
    assertThat(sampled.statusCode()).as("seed, user, top_p and a text response_format are honoured").isEqualTo(200);
    for (String bad : List.of("\"seed\":1.5", "\"user\":42", "\"user\":\"\"")) {
      HttpResponse<String> refused = call("POST", "/v1/chat/completions", "{\"model\":\"kb:oai-kb\",\"messages\":[{\"role\":"
        + "\"user\",\"content\":\"hi\"}]," + bad + "}", server.adminKey());
      assertThat(refused.statusCode()).as(bad).isEqualTo(400);
      assertThat(error(refused).getString("param")).isEqualTo(bad.substring(1, bad.indexOf('"', 1)));
    }
    HttpResponse<String> noModel = call("POST", "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":"
      + "\"user\",\"content\":\"hi\"}]}", server.adminKey());
    assertThat(noModel.statusCode()).isEqualTo(404);
    assertThat(error(noModel).getString("param")).isEqualTo("model");
    HttpResponse<String> badInput = call("POST", "/v1/embeddings", "{\"input\":42}", server.adminKey());
    assertThat(error(badInput).getString("param")).isEqualTo("input");
  }

  @Test
  @DisplayName("max_tokens cuts the answer with finish_reason length; stop ends it early; the id is never chatcmpl-null")
  void finishReasons() {
    JsonObject full = new JsonObject(call("POST", "/v1/chat/completions", ROUTES.get(0)[2], server.adminKey()).body());
    assertThat(full.getString("id")).startsWith("chatcmpl-").doesNotContain("null");
    assertThat(full.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("stop");

    JsonObject cut = new JsonObject(call("POST", "/v1/chat/completions", "{\"model\":\"kb:oai-kb\",\"max_tokens\":3,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"How many days of paid leave?\"}]}", server.adminKey()).body());
    JsonObject choice = cut.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("length");
    assertThat(choice.getJsonObject("message").getString("content").length())
      .isLessThan(full.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content").length());

    JsonObject stopped = new JsonObject(call("POST", "/v1/chat/completions", "{\"model\":\"kb:oai-kb\",\"stop\":\"25\","
      + "\"messages\":[{\"role\":\"user\",\"content\":\"How many days of paid leave?\"}]}", server.adminKey()).body());
    assertThat(stopped.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"))
      .doesNotContain("25");
  }

  @Test
  @DisplayName("HTTP latency is labelled by route template, not by raw path")
  void latencyByRoute() {
    call("GET", "/v1/models/kb:oai-kb", null, server.adminKey());
    String metrics = server.send(server.request("/metrics").GET().build()).body();
    assertThat(metrics).containsPattern("vertx_http_server_response_time_seconds_bucket\\{[^}]*route=\"/v1/models/:model\"");
  }

  @Test
  @DisplayName("GET /v1/models/{id} answers one model, and a chat-only key may list models")
  void models() {
    String chatOnly = key("chat", null);
    JsonObject list = new JsonObject(call("GET", "/v1/models", null, chatOnly).body());
    assertThat(list.getJsonArray("data").stream().map(m -> ((JsonObject) m).getString("id"))).contains("kb:oai-kb");
    JsonObject one = new JsonObject(call("GET", "/v1/models/kb:oai-kb", null, chatOnly).body());
    assertThat(one.getString("id")).isEqualTo("kb:oai-kb");
    assertThat(one.getString("object")).isEqualTo("model");
    HttpResponse<String> missing = call("GET", "/v1/models/kb:none", null, chatOnly);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(error(missing).getString("param")).isEqualTo("model");
  }
}
