package io.ganglion.http;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients on distinct loopback addresses (Linux routes all of 127/8 to lo): 127.0.0.1 is allowed, 127.0.0.2 is not,
 * 127.0.0.3 is the trusted proxy.
 */
@DisplayName("IP allowlists")
class AllowlistIT {

  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Files.createTempDirectory(Path.of("target"), "allowlist-"), Map.of(
      "http.allowCidrs", "127.0.0.1/32,10.0.0.0/8,2001:db8::/32", "http.trustedProxies", "127.0.0.3"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName("an allowed address is served; another gets 403; X-Forwarded-For counts only from a trusted proxy (IPv4 and IPv6)")
  void globalAllowlist() throws Exception {
    assertThat(from("127.0.0.1", null).statusCode()).isEqualTo(200);
    HttpResponse<String> refused = from("127.0.0.2", null);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(TestServer.json(refused).getJsonObject("error").getString("code")).isEqualTo("forbidden");
    assertThat(from("127.0.0.2", "127.0.0.1").statusCode()).as("forwarded-for from an untrusted peer").isEqualTo(403);
    assertThat(from("127.0.0.3", null).statusCode()).as("the proxy itself is not allowed").isEqualTo(403);
    assertThat(from("127.0.0.3", "10.1.2.3").statusCode()).isEqualTo(200);
    assertThat(from("127.0.0.3", "192.0.2.7, 10.1.2.3").statusCode()).as("the nearest hop decides").isEqualTo(200);
    assertThat(from("127.0.0.3", "10.1.2.3, 192.0.2.7").statusCode()).isEqualTo(403);
    assertThat(from("127.0.0.3", "2001:db8::5").statusCode()).isEqualTo(200);
    assertThat(from("127.0.0.3", "2001:db9::5").statusCode()).isEqualTo(403);
    assertThat(from("127.0.0.3", "not-an-address").statusCode()).isEqualTo(403);
  }

  @Test
  @DisplayName("a key with allowCidrs is refused elsewhere, even from an address the global list allows; bad CIDRs are 400")
  void perKeyAllowlist() throws Exception {
    HttpResponse<String> bad = server.postJson("/v1/admin/keys", "{\"tenant\":\"fenced\",\"scopes\":[\"kb:read\"],\"allowCidrs\":[\"10.9.0.0/33\"]}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("allowCidrs");
    HttpResponse<String> created = server.postJson("/v1/admin/keys",
      "{\"tenant\":\"fenced\",\"scopes\":[\"kb:read\"],\"allowCidrs\":[\"10.9.0.0/16\"]}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonObject key = TestServer.json(created);
    assertThat(key.getJsonArray("allowCidrs").getList()).isEqualTo(List.of("10.9.0.0/16"));

    assertThat(send("127.0.0.3", "10.9.4.4", key.getString("key")).statusCode()).isEqualTo(200);
    assertThat(send("127.0.0.3", "10.1.2.3", key.getString("key")).statusCode()).isEqualTo(403);
    assertThat(send("127.0.0.1", null, key.getString("key")).statusCode()).isEqualTo(403);
  }

  @Test
  @DisplayName("refusals are audited as one entry per address and minute with a count, not one row per request")
  void refusalsAggregated() throws Exception {
    int refused = 25;
    for (int i = 0; i < refused; i++) {
      assertThat(from("127.0.0.3", "192.0.2.99").statusCode()).isEqualTo(403);
    }
    // the counts are brought up to date every 2 s
    List<JsonObject> rows = await().atMost(Duration.ofSeconds(15)).until(() -> TestServer.json(
        server.get("/v1/admin/audit?limit=500")).getJsonArray("events").stream().map(e -> (JsonObject) e)
      .filter(e -> "ip.refused".equals(e.getString("action")) && "192.0.2.99".equals(e.getString("source"))).toList(),
      found -> found.stream().mapToInt(r -> r.getJsonObject("detail").getInteger("count")).sum() == refused);
    assertThat(rows.stream().mapToInt(r -> r.getJsonObject("detail").getInteger("count")).sum()).isEqualTo(refused);
    assertThat(rows).hasSizeLessThanOrEqualTo(2); // one per minute; the burst may straddle a minute boundary
    assertThat(rows.getFirst().getJsonObject("detail").getString("allowlist")).isEqualTo("http.allowCidrs");
  }

  @Test
  @DisplayName("behind a trusted proxy, audit entries name the forwarded client, not the proxy")
  void auditedSourceBehindProxy() throws Exception {
    assertThat(send("127.0.0.3", "10.7.7.7", "not-a-key").statusCode()).isEqualTo(401);
    List<JsonObject> failures = await().atMost(Duration.ofSeconds(15)).until(() -> TestServer.json(
        server.get("/v1/admin/audit?limit=500")).getJsonArray("events").stream().map(e -> (JsonObject) e)
      .filter(e -> "auth.failure".equals(e.getString("action"))).toList(),
      found -> found.stream().anyMatch(e -> "10.7.7.7".equals(e.getString("source"))));
    assertThat(failures).noneMatch(e -> "127.0.0.3".equals(e.getString("source")));
  }

  private static HttpResponse<String> from(String local, String forwardedFor) throws Exception {
    return send(local, forwardedFor, server.adminKey());
  }

  private static HttpResponse<String> send(String local, String forwardedFor, String key) throws Exception {
    HttpClient client = HttpClient.newBuilder().localAddress(InetAddress.getByName(local))
      .connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.ganglion().port() + "/v1/kbs"))
      .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + key);
    if (forwardedFor != null) {
      request.header("X-Forwarded-For", forwardedFor);
    }
    try (client) {
      return client.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }
  }
}
