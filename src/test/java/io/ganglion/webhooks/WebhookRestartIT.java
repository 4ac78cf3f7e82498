package io.ganglion.webhooks;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A delivery queued while its receiver is down survives two restarts of the server on the same data directory (and
 * its embedded PostgreSQL): in between, a server with {@code webhooks.allowPrivateTargets=false} refuses to register
 * a loopback URL and refuses, at delivery time, to call the one registered before (the attempt is recorded, the
 * receiver sees nothing); the last server, allowed again, delivers it.
 */
@DisplayName("Webhook deliveries across restarts, and private targets")
class WebhookRestartIT {

  static WebhookReceiver receiver;

  @BeforeAll
  static void start() {
    receiver = WebhookReceiver.start();
  }

  @AfterAll
  static void stop() {
    receiver.close();
  }

  static TestServer server(Path data, boolean allowPrivate) throws Exception {
    Map<String, String> options = new HashMap<>(Map.of("webhooks.allowPrivateTargets", Boolean.toString(allowPrivate),
      "webhooks.pollMs", "50", "webhooks.initialBackoffMs", "100", "webhooks.maxBackoffMs", "200",
      "webhooks.maxAttempts", "100", "webhooks.timeoutMs", "3000"));
    return TestServer.start(data, options);
  }

  static HttpResponse<String> as(TestServer server, String key, String method, String path, String body) {
    return server.as(key, method, path, body);
  }

  static JsonObject delivery(TestServer server, String key, String hookId) {
    JsonObject page = TestServer.json(as(server, key, "GET", "/v1/webhooks/" + hookId + "/deliveries", null));
    JsonArray list = page.getJsonArray("deliveries");
    return list.isEmpty() ? new JsonObject() : list.getJsonObject(0);
  }

  @Test
  @DisplayName("a pending delivery is delivered after a restart; a server not allowing private targets refuses them at registration and delivery")
  void pendingAcrossRestarts() throws Exception {
    Path data = Files.createTempDirectory(Path.of("target"), "it-webhook-restart-");
    String secret = "restart-secret-0123456789";
    receiver.answer((path, n) -> 503);
    String key;
    String hookId;
    String deliveryId;
    try (TestServer first = server(data, true)) {
      key = TestServer.json(first.postJson("/v1/admin/keys", new JsonObject().put("tenant", "wh-restart")
        .put("scopes", new JsonArray(List.of("kb:read", "kb:write", "webhooks:write"))).encode())).getString("key");
      HttpResponse<String> created = as(first, key, "POST", "/v1/webhooks", new JsonObject()
        .put("url", receiver.url("/restart")).put("events", new JsonArray().add("document.deleted")).put("secret", secret)
        .encode());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      hookId = TestServer.json(created).getString("id");
      assertThat(as(first, key, "POST", "/v1/kbs", "{\"name\":\"kept\"}").statusCode()).isEqualTo(201);
      assertThat(as(first, key, "POST", "/v1/kbs/kept/documents",
        "{\"documents\":[{\"id\":\"doomed\",\"text\":\"This note will be deleted.\"}]}").statusCode()).isEqualTo(200);
      assertThat(as(first, key, "DELETE", "/v1/kbs/kept/documents/doomed", null).statusCode()).isEqualTo(204);
      // the receiver is down: attempts fail and the delivery stays pending
      await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/restart").size() >= 2);
      JsonObject pending = delivery(first, key, hookId);
      assertThat(pending.getString("status")).isEqualTo("pending");
      assertThat(pending.getJsonArray("history").getJsonObject(0).getInteger("statusCode")).isEqualTo(503);
      deliveryId = pending.getString("id");
    }

    try (TestServer guarded = server(data, false)) {
      int before = receiver.at("/restart").size();
      JsonObject loopback = TestServer.json(as(guarded, key, "POST", "/v1/webhooks", new JsonObject()
        .put("url", receiver.url("/other")).put("events", new JsonArray().add("document.deleted")).encode()));
      assertThat(loopback.getJsonObject("error").getString("code")).isEqualTo("invalid_request");
      assertThat(loopback.getJsonObject("error").getString("message")).contains("'url' is refused").contains("loopback");
      HttpResponse<String> localhost = as(guarded, key, "POST", "/v1/webhooks", new JsonObject()
        .put("url", "http://localhost:9/hook").put("events", new JsonArray().add("job.completed")).encode());
      assertThat(localhost.statusCode()).isEqualTo(400);
      HttpResponse<String> metadata = as(guarded, key, "POST", "/v1/webhooks", new JsonObject()
        .put("url", "http://169.254.169.254/latest/meta-data").put("events", new JsonArray().add("job.completed")).encode());
      assertThat(metadata.statusCode()).isEqualTo(400);
      assertThat(metadata.body()).contains("link-local");
      // the delivery registered while allowed is refused at delivery time: recorded, and nothing reaches the receiver
      JsonObject refused = await().atMost(Duration.ofSeconds(30)).until(() -> delivery(guarded, key, hookId),
        d -> d.getJsonArray("history", new JsonArray()).stream()
          .anyMatch(a -> String.valueOf(((JsonObject) a).getValue("error")).startsWith("refused:")));
      assertThat(refused.getString("status")).isEqualTo("pending");
      assertThat(refused.getString("lastError")).contains("loopback");
      assertThat(receiver.at("/restart")).hasSize(before);
    }

    receiver.answer((path, n) -> 200);
    int beforeLast = receiver.at("/restart").size();
    try (TestServer last = server(data, true)) {
      JsonObject delivered = await().atMost(Duration.ofSeconds(30)).until(() -> delivery(last, key, hookId),
        d -> "delivered".equals(d.getString("status")));
      assertThat(delivered.getString("id")).isEqualTo(deliveryId);
      assertThat(delivered.getString("finishedAt")).isNotNull();
      WebhookReceiver.Received arrived = receiver.at("/restart").getLast();
      assertThat(arrived.header(WebhookSignature.DELIVERY_HEADER)).isEqualTo(deliveryId);
      assertThat(arrived.json().getJsonObject("data")).isEqualTo(new JsonObject().put("kb", "kept").put("id", "doomed"));
      assertThat(WebhookSignature.verify(secret, arrived.header(WebhookSignature.SIGNATURE_HEADER),
        arrived.header(WebhookSignature.TIMESTAMP_HEADER), arrived.body(), Instant.now().getEpochSecond(), 300)).isTrue();
      // one request after the restart: the one that was accepted
      assertThat(receiver.at("/restart")).hasSize(beforeLast + 1);
    }
  }

}
