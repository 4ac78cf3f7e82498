package io.ganglion.http;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DisplayName("Tenancy, scopes, keys, limits and hostile input")
class SecurityIT {

  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.shared();
  }

  static JsonObject createKey(String tenant, String scopes, String extra) {
    HttpResponse<String> created = server.postJson("/v1/admin/keys",
      "{\"tenant\":\"" + tenant + "\",\"scopes\":" + scopes + (extra.isEmpty() ? "" : "," + extra) + "}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return TestServer.json(created);
  }

  static HttpResponse<String> as(String key, String method, String path, String json) {
    HttpRequest.Builder builder = server.request(path).header("Authorization", "Bearer " + key);
    if (json != null) {
      builder.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    } else {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return server.send(builder.build());
  }

  @Test
  @DisplayName("another tenant's knowledge base answers 404 on every KB route and is not listed")
  void crossTenant() {
    String red = createKey("red", "[\"kb:read\",\"kb:write\"]", "").getString("key");
    String blue = createKey("blue", "[\"kb:read\",\"kb:write\"]", "").getString("key");
    assertThat(as(red, "POST", "/v1/kbs", "{\"name\":\"secret-plans\"}").statusCode()).isEqualTo(201);

    assertThat(as(blue, "GET", "/v1/kbs/secret-plans", null).statusCode()).isEqualTo(404);
    assertThat(as(blue, "DELETE", "/v1/kbs/secret-plans", null).statusCode()).isEqualTo(404);
    assertThat(TestServer.json(as(blue, "GET", "/v1/kbs", null)).getJsonArray("kbs")).isEmpty();
    // blue may use the same name for its own KB
    assertThat(as(blue, "POST", "/v1/kbs", "{\"name\":\"secret-plans\"}").statusCode()).isEqualTo(201);
    assertThat(as(red, "GET", "/v1/kbs/secret-plans", null).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("a read-only key cannot write, and a non-admin key cannot use the admin API")
  void scopes() {
    String reader = createKey("green", "[\"kb:read\"]", "").getString("key");
    assertThat(as(reader, "GET", "/v1/kbs", null).statusCode()).isEqualTo(200);
    assertThat(as(reader, "POST", "/v1/kbs", "{\"name\":\"nope\"}").statusCode()).isEqualTo(403);
    assertThat(as(reader, "POST", "/v1/admin/keys", "{\"tenant\":\"green\",\"scopes\":[\"admin\"]}").statusCode()).isEqualTo(403);
    assertThat(as(reader, "GET", "/v1/admin/audit", null).statusCode()).isEqualTo(403);
  }

  @Test
  @DisplayName("a revoked key is refused at once on every HTTP instance, and the revocation is audited")
  void revocation() {
    JsonObject created = createKey("violet", "[\"kb:read\"]", "");
    String key = created.getString("key");
    assertThat(created.getString("prefix")).isEqualTo(key.substring(0, 8));
    // warm the credential caches of both HTTP instances (connections spread over the event loops)
    for (int i = 0; i < 8; i++) {
      assertThat(as(key, "GET", "/v1/kbs", null).statusCode()).isEqualTo(200);
    }
    assertThat(server.delete("/v1/admin/keys/" + created.getString("id")).statusCode()).isEqualTo(204);
    for (int i = 0; i < 8; i++) {
      assertThat(as(key, "GET", "/v1/kbs", null).statusCode()).isEqualTo(401);
    }
    assertThat(server.delete("/v1/admin/keys/" + created.getString("id")).statusCode()).isEqualTo(404);
    assertThat(server.delete("/v1/admin/keys/not-a-uuid").statusCode()).isEqualTo(404);

    JsonArray keys = TestServer.json(server.get("/v1/admin/keys?tenant=violet")).getJsonArray("keys");
    assertThat(keys).hasSize(1);
    assertThat(keys.getJsonObject(0).getString("revokedAt")).isNotNull();
    assertThat(keys.getJsonObject(0).containsKey("key")).isFalse();
    // audit entries are written after the reply, off the request's path
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonArray events = TestServer.json(server.get("/v1/admin/audit?tenant=violet")).getJsonArray("events");
      assertThat(events.stream().map(e -> ((JsonObject) e).getString("action"))).contains("key.create", "key.revoke");
    });
  }

  @Test
  @DisplayName("a key over its requests per minute gets 429 with Retry-After and RateLimit headers, then recovers")
  void rateLimit() throws Exception {
    String key = createKey("amber", "[\"kb:read\"]", "\"rpm\":120").getString("key");
    HttpResponse<String> first = as(key, "GET", "/v1/kbs", null);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("RateLimit-Limit")).contains("120");
    HttpResponse<String> limited = null;
    for (int i = 0; i < 200 && limited == null; i++) {
      HttpResponse<String> response = as(key, "GET", "/v1/kbs", null);
      if (response.statusCode() == 429) {
        limited = response;
      }
    }
    assertThat(limited).as("no 429 within 200 requests at 120 rpm").isNotNull();
    assertThat(TestServer.json(limited).getJsonObject("error").getString("code")).isEqualTo("rate_limited");
    assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());
    assertThat(limited.headers().firstValue("RateLimit-Remaining")).contains("0");
    // the bucket refills at 2 requests a second: a request is let through again soon after
    await("the key recovers").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
      .until(() -> as(key, "GET", "/v1/kbs", null).statusCode() == 200);
  }

  @Test
  @DisplayName("hostile bodies get 4xx with the error contract: deep nesting, invalid UTF-8, wrong types, huge names")
  void hostileInput() {
    String deep = "{\"name\":" + "[".repeat(500) + "]".repeat(500) + "}";
    assertThat(server.postJson("/v1/kbs", deep).statusCode()).isEqualTo(400);
    byte[] invalidUtf8 = {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    HttpResponse<String> utf = server.send(server.authed("/v1/kbs").header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofByteArray(invalidUtf8)).build());
    assertThat(utf.statusCode()).isBetween(400, 499);
    assertThat(server.postJson("/v1/kbs", "{\"name\":[\"a\"]}").statusCode()).isEqualTo(400);
    assertThat(server.postJson("/v1/kbs", "{\"name\":\"..%2F..%2Fetc\"}").statusCode()).isEqualTo(400);
    assertThat(server.get("/v1/kbs/..%2F..%2Fetc%2Fpasswd").statusCode()).isEqualTo(404);
    assertThat(server.postJson("/v1/admin/keys", "{\"tenant\":\"x\",\"scopes\":[\"root\"]}").statusCode()).isEqualTo(400);
    assertThat(server.postJson("/v1/admin/keys", "{\"tenant\":\"x\",\"scopes\":[\"chat\"],\"rpm\":-5}").statusCode()).isEqualTo(400);
    assertThat(server.postJson("/v1/admin/keys", "{\"tenant\":\"x\",\"scopes\":[\"chat\"],\"expiresAt\":\"yesterday\"}").statusCode()).isEqualTo(400);
  }

  @Test
  @DisplayName("a flood of small requests with bad and good credentials leaves the server healthy and its data intact")
  void flood() {
    assertThat(server.postJson("/v1/kbs", "{\"name\":\"flood-survivor\"}").statusCode()).isEqualTo(201);
    List<CompletableFuture<Integer>> calls = new ArrayList<>();
    java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
      .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    for (int i = 0; i < 600; i++) {
      HttpRequest.Builder request = server.request(i % 3 == 0 ? "/v1/kbs" : "/v1/kbs/flood-survivor");
      if (i % 2 == 0) {
        request.header("Authorization", "Bearer gk_bogus" + i);
      } else {
        request.header("Authorization", "Bearer " + server.adminKey());
      }
      calls.add(client.sendAsync(request.GET().build(), HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode));
    }
    List<Integer> statuses = calls.stream().map(CompletableFuture::join).toList();
    assertThat(statuses).allMatch(s -> s == 200 || s == 401);
    assertThat(statuses).contains(200, 401);
    assertThat(server.send(server.request("/ready").GET().build()).statusCode()).isEqualTo(200);
    assertThat(server.get("/v1/kbs/flood-survivor").statusCode()).isEqualTo(200);
  }
}
