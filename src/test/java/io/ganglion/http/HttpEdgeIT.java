package io.ganglion.http;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The HTTP edge of a running server")
class HttpEdgeIT {

  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.shared();
  }

  @Test
  @DisplayName("GET /health answers UP without a credential")
  void health() {
    HttpResponse<String> response = server.send(server.request("/health").GET().build());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(TestServer.json(response).getString("status")).isEqualTo("UP");
  }

  @Test
  @DisplayName("GET /ready is 200 once every verticle, PostgreSQL and Redis answer, and a lone node's shards are green")
  void ready() {
    HttpResponse<String> response = server.send(server.request("/ready").GET().build());
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject checks = TestServer.json(response).getJsonObject("checks");
    assertThat(checks.fieldNames()).contains("inference", "retrieval", "reflex", "orchestrator", "postgres", "redis");
    assertThat(checks.getString("cluster")).isEqualTo("green");
    JsonObject others = checks.copy();
    others.remove("cluster");
    assertThat(others.getMap().values()).allMatch("UP"::equals);
  }

  @Test
  @DisplayName("GET /metrics exposes HTTP, event-bus, JVM and pool metrics with latency histogram buckets in Prometheus text")
  void metrics() {
    server.send(server.request("/health").GET().build());
    HttpResponse<String> response = server.send(server.request("/metrics").GET().build());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
      .contains("vertx_http_server_requests_total")
      .contains("vertx_http_server_response_time_seconds_bucket")
      .contains("le=\"+Inf\"")
      .contains("vertx_eventbus_")
      .contains("jvm_memory_used_bytes")
      .contains("vertx_pool_");
  }

  @Test
  @DisplayName("a /v1 route without a credential is 401 with the error contract")
  void missingCredential() {
    HttpResponse<String> response = server.send(server.request("/v1/kbs").GET().build());
    assertThat(response.statusCode()).isEqualTo(401);
    assertError(response, "unauthorized");
  }

  @Test
  @DisplayName("an unknown API key and a forged JWT are 401")
  void badCredentials() {
    assertThat(server.send(server.request("/v1/kbs").header("Authorization", "Bearer gk_not-a-real-key").GET().build())
      .statusCode()).isEqualTo(401);
    assertThat(server.send(server.request("/v1/kbs")
      .header("Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.").GET().build()).statusCode()).isEqualTo(401);
  }

  @Test
  @DisplayName("the admin key works on /v1 routes")
  void adminKey() {
    assertThat(server.get("/v1/kbs").statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("malformed JSON is 400 malformed_json")
  void malformedJson() {
    HttpResponse<String> response = server.postJson("/v1/kbs", "{\"name\": ");
    assertThat(response.statusCode()).isEqualTo(400);
    assertError(response, "malformed_json");
  }

  @Test
  @DisplayName("a JSON body that is not an object is 400 invalid_request")
  void nonObjectJson() {
    HttpResponse<String> response = server.postJson("/v1/kbs", "[1,2]");
    assertThat(response.statusCode()).isEqualTo(400);
    assertError(response, "invalid_request");
  }

  @Test
  @DisplayName("a body over the configured limit is 413")
  void oversizedBody() {
    String big = "{\"name\":\"" + "x".repeat(TestServer.BODY_LIMIT + 10) + "\"}";
    HttpResponse<String> response = server.postJson("/v1/kbs", big);
    assertThat(response.statusCode()).isEqualTo(413);
    assertError(response, "payload_too_large");
  }

  @Test
  @DisplayName("an unknown route is 404 and a wrong method is 405, both with the error contract")
  void unknownRouteAndMethod() {
    HttpResponse<String> notFound = server.get("/v1/no-such-thing");
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertError(notFound, "not_found");
    HttpResponse<String> wrongMethod = server.send(server.request("/health").PUT(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertError(wrongMethod, "method_not_allowed");
  }

  @Test
  @DisplayName("a JSON route sent another content type is 415")
  void unsupportedMediaType() {
    HttpResponse<String> response = server.send(server.authed("/v1/kbs").header("Content-Type", "text/plain")
      .POST(HttpRequest.BodyPublishers.ofString("name=x")).build());
    assertThat(response.statusCode()).isEqualTo(415);
    assertError(response, "unsupported_media_type");
  }

  @Test
  @DisplayName("a client's X-Request-Id is echoed and used in error bodies; without one, the server makes one")
  void requestIdEchoed() {
    HttpResponse<String> given = server.send(server.request("/v1/kbs").header("X-Request-Id", "client-abc-123").GET().build());
    assertThat(given.headers().firstValue("X-Request-Id")).contains("client-abc-123");
    assertThat(TestServer.json(given).getJsonObject("error").getString("requestId")).isEqualTo("client-abc-123");

    HttpResponse<String> made = server.send(server.request("/health").GET().build());
    assertThat(made.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches("[0-9a-f]{32}"));

    HttpResponse<String> unsafe = server.send(server.request("/health").header("X-Request-Id", "bad id\twith spaces").GET().build());
    assertThat(unsafe.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches("[0-9a-f]{32}"));
  }

  @Test
  @DisplayName("every response carries the security headers, and /v1 responses are not cacheable")
  void securityHeaders() {
    HttpResponse<String> response = server.get("/v1/kbs");
    assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(response.headers().firstValue("X-Frame-Options")).contains("DENY");
    assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
  }

  static void assertError(HttpResponse<String> response, String code) {
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
    JsonObject error = TestServer.json(response).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo(code);
    assertThat(error.getString("message")).isNotBlank();
    assertThat(error.getString("requestId")).isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
  }
}
