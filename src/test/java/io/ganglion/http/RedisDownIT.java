package io.ganglion.http;

import io.ganglion.TestServer;
import io.ganglion.store.EmbeddedRedisServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Rate limits while Redis is down")
class RedisDownIT {

  @Test
  @DisplayName("non-admin keys fall back to per-node buckets; admin keys fail closed with 503; readiness reports Redis down")
  void policies() throws Exception {
    Path dataDir = Files.createTempDirectory(Path.of("target"), "redis-down-");
    EmbeddedRedisServer redis = EmbeddedRedisServer.start(dataDir);
    try (TestServer server = TestServer.start(dataDir, Map.of("redis.url", redis.url()))) {
      String user = key(server, "[\"kb:read\"]");
      String admin = key(server, "[\"admin\"]");
      assertThat(as(server, user).statusCode()).isEqualTo(200);
      assertThat(as(server, admin).statusCode()).isEqualTo(200);

      redis.close();

      HttpResponse<String> local = as(server, user);
      assertThat(local.statusCode()).isEqualTo(200);
      assertThat(local.headers().firstValue("RateLimit-Limit")).contains("600");
      HttpResponse<String> closed = as(server, admin);
      assertThat(closed.statusCode()).isEqualTo(503);
      assertThat(closed.headers().firstValue("Retry-After")).isPresent();
      assertThat(TestServer.json(closed).getJsonObject("error").getString("code")).isEqualTo("unavailable");
      // the node still serves: readiness stays 200, the outage is in the body (as for PostgreSQL)
      HttpResponse<String> ready = server.send(server.request("/ready").GET().build());
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(TestServer.json(ready).getString("status")).isEqualTo("DEGRADED");
      assertThat(TestServer.json(ready).getJsonObject("checks").getString("redis")).startsWith("DOWN");
    }
  }

  private static String key(TestServer server, String scopes) {
    HttpResponse<String> created = server.postJson("/v1/admin/keys", "{\"tenant\":\"default\",\"scopes\":" + scopes + ",\"rpm\":600}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return new JsonObject(created.body()).getString("key");
  }

  private static HttpResponse<String> as(TestServer server, String key) {
    return server.send(server.request("/v1/kbs").header("Authorization", "Bearer " + key).GET().build());
  }
}
