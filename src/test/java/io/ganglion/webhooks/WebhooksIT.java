package io.ganglion.webhooks;

import io.ganglion.TestServer;
import io.ganglion.generation.ScriptedLlm;
import io.ganglion.generation.ScriptedLlm.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhooks against a real server, real PostgreSQL and a real HTTP receiver on 127.0.0.1 (so private targets are
 * allowed here; their refusal is in {@link WebhookRestartIT}). Each test has a tenant of its own, so its webhooks see
 * only its events. Agent runs talk to a scripted OpenAI-compatible upstream.
 */
@DisplayName("Webhooks")
class WebhooksIT {

  static Vertx vertx;
  static ScriptedLlm llm;
  static TestServer server;
  static WebhookReceiver receiver;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    llm = ScriptedLlm.start(vertx);
    llm.script(turn -> {
      if (turn.system() != null && turn.system().contains("scenario:gated.") && turn.step() == 0) {
        return Reply.calls(ScriptedLlm.call("kb_search", new JsonObject().put("query", "shipping")));
      }
      return Reply.text("All done.");
    });
    receiver = WebhookReceiver.start();
    Path data = Files.createTempDirectory(Path.of("target"), "it-webhooks-");
    JsonObject config = new JsonObject()
      .put("llm", new JsonObject().put("default", "openai").put("providers", new JsonArray()
        .add(new JsonObject().put("name", "openai").put("type", "openai").put("baseUrl", llm.openAiBaseUrl())
          .put("model", "scripted-1").put("maxRetries", 0))));
    Path file = data.resolve("llm.json");
    Files.writeString(file, config.encodePrettily());
    server = TestServer.start(data, Map.of("config", file.toString(), "retrieval.asyncThreshold", "1",
      "webhooks.allowPrivateTargets", "true", "webhooks.pollMs", "50", "webhooks.initialBackoffMs", "200",
      "webhooks.maxBackoffMs", "400", "webhooks.maxAttempts", "4", "webhooks.timeoutMs", "3000"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (receiver != null) {
      receiver.close();
    }
    vertx.close().await();
  }

  // helpers

  static HttpResponse<String> as(String key, String method, String path, String body) {
    return server.as(key, method, path, body);
  }

  static JsonObject ok(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return response.body().isEmpty() ? new JsonObject() : TestServer.json(response);
  }

  static String key(String tenant, String... scopes) {
    return ok(server.postJson("/v1/admin/keys", new JsonObject().put("tenant", tenant)
      .put("scopes", new JsonArray(List.of(scopes))).encode()), 201).getString("key");
  }

  static JsonObject webhook(String key, String path, String secret, String... events) {
    JsonObject body = new JsonObject().put("url", receiver.url(path)).put("events", new JsonArray(List.of(events)));
    if (secret != null) {
      body.put("secret", secret);
    }
    return ok(as(key, "POST", "/v1/webhooks", body.encode()), 201);
  }

  static void kb(String key, String name) {
    ok(as(key, "POST", "/v1/kbs", new JsonObject().put("name", name).encode()), 201);
  }

  static JsonObject ingest(String key, String kb, JsonArray documents) {
    HttpResponse<String> response = as(key, "POST", "/v1/kbs/" + kb + "/documents",
      new JsonObject().put("documents", documents).encode());
    assertThat(response.statusCode()).as(response.body()).isIn(200, 202);
    return TestServer.json(response);
  }

  static JsonObject text(String id, String text) {
    return new JsonObject().put("id", id).put("text", text);
  }

  /** Waits for the receiver to have a delivery at {@code path} of {@code event} matching {@code data}'s test. */
  static WebhookReceiver.Received delivery(String path, String event, java.util.function.Predicate<JsonObject> data) {
    return await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at(path).stream()
        .filter(r -> event.equals(r.json().getString("event")) && data.test(r.json().getJsonObject("data")))
        .findFirst(), java.util.Optional::isPresent).orElseThrow();
  }

  static JsonObject deliveries(String key, String webhookId) {
    return ok(as(key, "GET", "/v1/webhooks/" + webhookId + "/deliveries", null), 200);
  }

  static boolean verifies(String secret, WebhookReceiver.Received r) {
    return WebhookSignature.verify(secret, r.header(WebhookSignature.SIGNATURE_HEADER),
      r.header(WebhookSignature.TIMESTAMP_HEADER), r.body(), Instant.now().getEpochSecond(), 300);
  }

  // tests

  @Test
  @DisplayName("registration validates its input with clear 400s, needs webhooks:write, is per tenant, and never shows a secret again")
  void registration() {
    String key = key("wh-admin", "webhooks:write");
    String chatOnly = key("wh-admin", "chat");
    String otherTenant = key("wh-other", "webhooks:write");

    JsonObject missingUrl = ok(as(key, "POST", "/v1/webhooks", "{\"events\":[\"job.completed\"]}"), 400);
    assertThat(missingUrl.getJsonObject("error").getString("code")).isEqualTo("invalid_request");
    assertThat(missingUrl.getJsonObject("error").getString("message")).contains("'url'");
    assertThat(missingUrl.getJsonObject("error").getString("requestId")).isNotBlank();
    assertThat(ok(as(key, "POST", "/v1/webhooks", "{\"url\":\"ftp://127.0.0.1/x\",\"events\":[\"job.completed\"]}"), 400)
      .getJsonObject("error").getString("message")).contains("http or https");
    assertThat(ok(as(key, "POST", "/v1/webhooks", new JsonObject().put("url", receiver.url("/reg"))
      .put("events", new JsonArray().add("job.exploded")).encode()), 400).getJsonObject("error").getString("message"))
      .contains("unknown event 'job.exploded'").contains("agent.run.waiting_approval");
    assertThat(ok(as(key, "POST", "/v1/webhooks", new JsonObject().put("url", receiver.url("/reg"))
      .put("events", new JsonArray()).encode()), 400).getJsonObject("error").getString("message")).contains("'events'");
    assertThat(ok(as(key, "POST", "/v1/webhooks", new JsonObject().put("url", receiver.url("/reg"))
      .put("events", new JsonArray().add("job.completed")).put("secret", "short").encode()), 400)
      .getJsonObject("error").getString("message")).contains("'secret'");
    assertThat(ok(as(key, "POST", "/v1/webhooks", new JsonObject().put("url", receiver.url("/reg"))
      .put("events", new JsonArray().add("job.completed")).put("retries", 3).encode()), 400)
      .getJsonObject("error").getString("message")).contains("unknown field 'retries'");
    assertThat(ok(as(key, "POST", "/v1/webhooks", new JsonObject().put("url", "http://no-such-host.invalid/hook")
      .put("events", new JsonArray().add("job.completed")).encode()), 400)
      .getJsonObject("error").getString("message")).contains("does not resolve");
    assertThat(ok(as(key, "POST", "/v1/webhooks", "{not json"), 400).getJsonObject("error").getString("code"))
      .isEqualTo("malformed_json");
    assertThat(ok(as(chatOnly, "POST", "/v1/webhooks", new JsonObject().put("url", receiver.url("/reg"))
      .put("events", new JsonArray().add("job.completed")).encode()), 403).getJsonObject("error").getString("code"))
      .isEqualTo("forbidden");
    assertThat(as(chatOnly, "GET", "/v1/webhooks", null).statusCode()).isEqualTo(403);

    JsonObject created = webhook(key, "/reg", null, "job.completed", "job.failed", "job.completed");
    String id = created.getString("id");
    assertThat(created.getString("secret")).startsWith("whsec_").hasSizeGreaterThan(40);
    assertThat(created.getJsonArray("events")).containsExactly("job.completed", "job.failed");
    JsonObject second = webhook(key, "/reg2", "a-secret-of-my-own-choosing", "document.deleted");
    assertThat(second.containsKey("secret")).isFalse();

    JsonObject got = ok(as(key, "GET", "/v1/webhooks/" + id, null), 200);
    assertThat(got.getString("url")).isEqualTo(receiver.url("/reg"));
    assertThat(got.containsKey("secret")).isFalse();
    JsonObject page = ok(as(key, "GET", "/v1/webhooks?limit=1", null), 200);
    assertThat(page.getJsonArray("webhooks")).hasSize(1);
    assertThat(page.getJsonArray("webhooks").getJsonObject(0).getString("id")).isEqualTo(id);
    assertThat(page.getJsonArray("webhooks").encode()).doesNotContain(created.getString("secret"));
    JsonObject rest = ok(as(key, "GET", "/v1/webhooks?limit=1&after=" + page.getString("next"), null), 200);
    assertThat(rest.getJsonArray("webhooks").getJsonObject(0).getString("id")).isEqualTo(second.getString("id"));
    assertThat(rest.getValue("next")).isNull();
    assertThat(ok(as(key, "GET", "/v1/webhooks?limit=0", null), 400).getJsonObject("error").getString("message"))
      .contains("'limit'");

    assertThat(as(otherTenant, "GET", "/v1/webhooks/" + id, null).statusCode()).isEqualTo(404);
    assertThat(as(otherTenant, "DELETE", "/v1/webhooks/" + id, null).statusCode()).isEqualTo(404);
    assertThat(ok(as(otherTenant, "GET", "/v1/webhooks", null), 200).getJsonArray("webhooks")).isEmpty();
    assertThat(as(key, "GET", "/v1/webhooks/not-a-uuid", null).statusCode()).isEqualTo(404);
    assertThat(ok(as(key, "POST", "/v1/webhooks/" + id + "/rotate", "{\"graceSeconds\":-1}"), 400)
      .getJsonObject("error").getString("message")).contains("'graceSeconds'");

    assertThat(as(key, "DELETE", "/v1/webhooks/" + id, null).statusCode()).isEqualTo(204);
    assertThat(as(key, "GET", "/v1/webhooks/" + id, null).statusCode()).isEqualTo(404);
    assertThat(as(key, "GET", "/v1/webhooks/" + id + "/deliveries", null).statusCode()).isEqualTo(404);
    assertThat(as(key, "DELETE", "/v1/webhooks/" + id, null).statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("an ingestion job fires job.completed, one whose every document fails fires job.failed; both signed and recorded")
  void jobEvents() {
    String key = key("wh-jobs", "kb:read", "kb:write", "webhooks:write");
    String secret = "jobs-secret-0123456789";
    String hookId = webhook(key, "/jobs", secret, "job.completed", "job.failed").getString("id");
    kb(key, "hooks");

    String completed = ingest(key, "hooks", new JsonArray().add(text("a", "Parcels ship within two days."))
      .add(text("b", "Returns are accepted for thirty days."))).getJsonObject("job").getString("id");
    WebhookReceiver.Received done = delivery("/jobs", "job.completed", d -> completed.equals(d.getString("id")));
    assertThat(done.json().getJsonObject("data").getString("status")).isEqualTo("done");
    assertThat(done.json().getJsonObject("data").getInteger("done")).isEqualTo(2);
    assertThat(done.json().getJsonObject("data").getString("kb")).isEqualTo("hooks");
    assertThat(done.json().getString("id")).isNotBlank();
    assertThat(Instant.parse(done.json().getString("createdAt"))).isBefore(Instant.now().plusSeconds(1));
    assertThat(done.header(WebhookSignature.EVENT_HEADER)).isEqualTo("job.completed");
    assertThat(done.header("Content-Type")).startsWith("application/json");
    assertThat(verifies(secret, done)).isTrue();
    assertThat(verifies("some-other-secret-000", done)).isFalse();

    String blank = Base64.getEncoder().encodeToString("<html><body><p> </p></body></html>".getBytes(StandardCharsets.UTF_8));
    String failed = ingest(key, "hooks", new JsonArray()
      .add(new JsonObject().put("id", "empty1").put("contentType", "text/html").put("content", blank))
      .add(new JsonObject().put("id", "empty2").put("contentType", "text/html").put("content", blank)))
      .getJsonObject("job").getString("id");
    WebhookReceiver.Received fail = delivery("/jobs", "job.failed", d -> failed.equals(d.getString("id")));
    assertThat(fail.json().getJsonObject("data").getString("status")).isEqualTo("failed");
    assertThat(fail.json().getJsonObject("data").getInteger("failed")).isEqualTo(2);
    assertThat(fail.json().getJsonObject("data").getJsonArray("errors")).hasSize(2);
    assertThat(verifies(secret, fail)).isTrue();

    JsonObject recorded = await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(key, hookId),
      d -> d.getJsonArray("deliveries").size() == 2 && d.getJsonArray("deliveries").stream()
        .allMatch(x -> "delivered".equals(((JsonObject) x).getString("status"))));
    JsonObject newest = recorded.getJsonArray("deliveries").getJsonObject(0);
    assertThat(newest.getString("event")).isEqualTo("job.failed");
    assertThat(newest.getString("id")).isEqualTo(fail.header(WebhookSignature.DELIVERY_HEADER));
    assertThat(newest.getString("eventId")).isEqualTo(fail.json().getString("id"));
    assertThat(newest.getInteger("attempts")).isEqualTo(1);
    assertThat(newest.getJsonArray("history").getJsonObject(0).getInteger("statusCode")).isEqualTo(200);
    assertThat(newest.getJsonArray("history").getJsonObject(0).getInteger("durationMs")).isNotNull();
    JsonObject firstPage = ok(as(key, "GET", "/v1/webhooks/" + hookId + "/deliveries?limit=1", null), 200);
    assertThat(firstPage.getJsonArray("deliveries")).hasSize(1);
    JsonObject secondPage = ok(as(key, "GET", "/v1/webhooks/" + hookId + "/deliveries?limit=1&after="
      + firstPage.getString("next"), null), 200);
    assertThat(secondPage.getJsonArray("deliveries").getJsonObject(0).getString("event")).isEqualTo("job.completed");
  }

  @Test
  @DisplayName("deleting a document fires document.deleted; a receiver answering 500 gets it again, backed off, until it answers 200")
  void documentDeletedWithRetry() {
    String key = key("wh-docs", "kb:read", "kb:write", "webhooks:write");
    String secret = "docs-secret-0123456789";
    String hookId = webhook(key, "/flaky", secret, "document.deleted").getString("id");
    kb(key, "notes");
    ingest(key, "notes", new JsonArray().add(text("memo", "The office closes at six.")));
    receiver.answer((path, n) -> path.equals("/flaky") && n == 1 ? 500 : 200);

    ok(as(key, "DELETE", "/v1/kbs/notes/documents/memo", null), 204);
    JsonObject recorded = await().atMost(Duration.ofSeconds(30)).until(() -> deliveries(key, hookId),
      d -> d.getJsonArray("deliveries").size() == 1
        && "delivered".equals(d.getJsonArray("deliveries").getJsonObject(0).getString("status")));
    JsonObject delivery = recorded.getJsonArray("deliveries").getJsonObject(0);
    assertThat(delivery.getInteger("attempts")).isEqualTo(2);
    JsonArray history = delivery.getJsonArray("history");
    assertThat(history.getJsonObject(0).getInteger("statusCode")).isEqualTo(500);
    assertThat(history.getJsonObject(0).getString("error")).contains("500");
    assertThat(history.getJsonObject(1).getInteger("statusCode")).isEqualTo(200);
    assertThat(history.getJsonObject(1).getValue("error")).isNull();
    // the second attempt came at least the initial backoff (200 ms) after the first
    assertThat(Duration.between(Instant.parse(history.getJsonObject(0).getString("startedAt")),
      Instant.parse(history.getJsonObject(1).getString("startedAt")))).isGreaterThanOrEqualTo(Duration.ofMillis(200));

    List<WebhookReceiver.Received> arrived = receiver.at("/flaky");
    assertThat(arrived).hasSize(2);
    assertThat(arrived).extracting(r -> r.header(WebhookSignature.DELIVERY_HEADER)).containsOnly(delivery.getString("id"));
    assertThat(arrived).extracting(WebhookReceiver.Received::body).containsOnly(arrived.get(0).body());
    assertThat(arrived).allMatch(r -> verifies(secret, r));
    assertThat(arrived.get(0).json().getJsonObject("data")).isEqualTo(new JsonObject().put("kb", "notes").put("id", "memo"));
  }

  @Test
  @DisplayName("a receiver that never answers is given up on at the attempt's deadline and sent the event again, which it then takes")
  void silentReceiverTimesOut() {
    String key = key("wh-silent", "kb:read", "kb:write", "webhooks:write");
    String secret = "silent-secret-0123456789";
    String hookId = webhook(key, "/silent", secret, "document.deleted").getString("id");
    kb(key, "quiet");
    ingest(key, "quiet", new JsonArray().add(text("memo", "The office closes at six.")));
    receiver.answer((path, n) -> path.equals("/silent") && n == 1 ? WebhookReceiver.SILENT : 200);

    ok(as(key, "DELETE", "/v1/kbs/quiet/documents/memo", null), 204);
    JsonObject recorded = await().atMost(Duration.ofSeconds(30)).until(() -> deliveries(key, hookId),
      d -> d.getJsonArray("deliveries").size() == 1
        && "delivered".equals(d.getJsonArray("deliveries").getJsonObject(0).getString("status")));
    JsonObject delivery = recorded.getJsonArray("deliveries").getJsonObject(0);
    assertThat(delivery.getInteger("attempts")).isEqualTo(2);
    JsonObject first = delivery.getJsonArray("history").getJsonObject(0);
    assertThat(first.getValue("statusCode")).isNull();
    assertThat(first.getString("error")).isEqualTo("no answer within the attempt's deadline");
    // webhooks.timeoutMs is 3000 here: the first attempt was abandoned at that deadline, not earlier and not much later
    assertThat(first.getInteger("durationMs")).isBetween(3_000, 10_000);
    assertThat(delivery.getJsonArray("history").getJsonObject(1).getInteger("statusCode")).isEqualTo(200);
    assertThat(receiver.at("/silent")).hasSize(2).allMatch(r -> verifies(secret, r));
  }

  @Test
  @DisplayName("a run that completes fires agent.run.completed; one that pauses fires agent.run.waiting_approval, and rejecting it agent.run.failed")
  void agentRunEvents() {
    String key = key("wh-agents", "kb:read", "kb:write", "chat", "agents:write", "webhooks:write");
    webhook(key, "/runs", "runs-secret-0123456789", "agent.run.completed", "agent.run.waiting_approval",
      "agent.run.failed");
    kb(key, "manual");
    ok(as(key, "POST", "/v1/agents", new JsonObject().put("name", "helper").put("description", "Helps")
      .put("instructions", "You help. scenario:done.").encode()), 201);
    ok(as(key, "POST", "/v1/agents", new JsonObject().put("name", "gated").put("description", "Asks first")
      .put("instructions", "You search. scenario:gated.").put("tools", new JsonArray().add("kb_search"))
      .put("kbs", new JsonArray().add("manual")).put("approval", new JsonArray().add("kb_search")).encode()), 201);

    JsonObject run = ok(as(key, "POST", "/v1/agents/helper/runs", "{\"input\":\"Say done.\"}"), 200);
    assertThat(run.getString("status")).isEqualTo("completed");
    WebhookReceiver.Received completed = delivery("/runs", "agent.run.completed", d -> run.getString("id").equals(d.getString("id")));
    assertThat(completed.json().getJsonObject("data").getString("agent")).isEqualTo("helper");
    assertThat(completed.json().getJsonObject("data").getString("output")).isEqualTo("All done.");
    assertThat(verifies("runs-secret-0123456789", completed)).isTrue();

    JsonObject paused = ok(as(key, "POST", "/v1/agents/gated/runs", "{\"input\":\"Find shipping.\"}"), 200);
    assertThat(paused.getString("status")).isEqualTo("waiting_approval");
    WebhookReceiver.Received waiting = delivery("/runs", "agent.run.waiting_approval",
      d -> paused.getString("id").equals(d.getString("id")));
    assertThat(waiting.json().getJsonObject("data").getJsonArray("pending").encode()).contains("kb_search");

    ok(as(key, "POST", "/v1/runs/" + paused.getString("id") + "/reject", "{\"reason\":\"not now\"}"), 200);
    WebhookReceiver.Received rejected = delivery("/runs", "agent.run.failed",
      d -> paused.getString("id").equals(d.getString("id")));
    assertThat(rejected.json().getJsonObject("data").getString("status")).isEqualTo("rejected");
  }

  @Test
  @DisplayName("during a secret rotation a delivery verifies with either secret; after it only with the new one; an old or altered timestamp fails")
  void rotationAndReplay() {
    String key = key("wh-rotate", "kb:read", "kb:write", "webhooks:write");
    String oldSecret = "old-secret-0123456789";
    String newSecret = "new-secret-0123456789";
    String id = webhook(key, "/rotate", oldSecret, "document.deleted").getString("id");
    kb(key, "rot");
    // one document per request: ingested at once (retrieval.asyncThreshold is 1 here)
    ingest(key, "rot", new JsonArray().add(text("one", "First note.")));
    ingest(key, "rot", new JsonArray().add(text("two", "Second note.")));

    JsonObject rotated = ok(as(key, "POST", "/v1/webhooks/" + id + "/rotate",
      new JsonObject().put("secret", newSecret).put("graceSeconds", 3600).encode()), 200);
    assertThat(Instant.parse(rotated.getString("previousSecretExpiresAt"))).isAfter(Instant.now().plusSeconds(3000));
    ok(as(key, "DELETE", "/v1/kbs/rot/documents/one", null), 204);
    WebhookReceiver.Received during = delivery("/rotate", "document.deleted", d -> "one".equals(d.getString("id")));
    assertThat(during.header(WebhookSignature.SIGNATURE_HEADER).split(",")).hasSize(2);
    assertThat(verifies(oldSecret, during)).isTrue();
    assertThat(verifies(newSecret, during)).isTrue();

    // a rotation with no grace replaces the secret at once
    JsonObject replaced = ok(as(key, "POST", "/v1/webhooks/" + id + "/rotate", "{\"graceSeconds\":0}"), 200);
    String newest = replaced.getString("secret");
    assertThat(newest).startsWith("whsec_");
    assertThat(replaced.getValue("previousSecretExpiresAt")).isNull();
    ok(as(key, "DELETE", "/v1/kbs/rot/documents/two", null), 204);
    WebhookReceiver.Received after = delivery("/rotate", "document.deleted", d -> "two".equals(d.getString("id")));
    assertThat(after.header(WebhookSignature.SIGNATURE_HEADER).split(",")).hasSize(1);
    assertThat(verifies(newest, after)).isTrue();
    assertThat(verifies(newSecret, after)).isFalse();
    assertThat(verifies(oldSecret, after)).isFalse();

    // replay: the signed timestamp is this attempt's; a receiver with a 5-minute window refuses it ten minutes later,
    // and moving the timestamp header breaks the signature
    long sent = Long.parseLong(after.header(WebhookSignature.TIMESTAMP_HEADER));
    assertThat(Math.abs(after.atSeconds() - sent)).isLessThanOrEqualTo(5);
    String signature = after.header(WebhookSignature.SIGNATURE_HEADER);
    assertThat(WebhookSignature.verify(newest, signature, Long.toString(sent), after.body(), sent + 600, 300)).isFalse();
    assertThat(WebhookSignature.verify(newest, signature, Long.toString(sent + 600), after.body(), sent + 600, 300)).isFalse();
    assertThat(WebhookSignature.verify(newest, signature, Long.toString(sent), after.body() + " ", sent, 300)).isFalse();
    assertThat(WebhookSignature.verify(newest, signature, Long.toString(sent), after.body(), sent, 300)).isTrue();
  }
}
