package io.ganglion.orchestration.agents;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static io.ganglion.generation.ScriptedLlm.call;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs survive a restart of their server: one paused for approval, one in the middle of a tool call. Two servers run
 * one after the other on the same data directory (the same PostgreSQL), the second taking over what the first left.
 */
@DisplayName("Agent runs across a restart")
class AgentRestartIT {

  static Vertx vertx;
  static ScriptedLlm llm;
  static Path data;
  static Path config;
  static Path calls;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    llm = ScriptedLlm.start(vertx);
    llm.script(turn -> {
      String system = turn.system() == null ? "" : turn.system();
      if (system.contains("scenario:approve.")) {
        return turn.step() == 0 ? Reply.calls(call("local__note", new JsonObject().put("text", "ship it")))
          : Reply.text("Noted: " + turn.newToolResults().getFirst().text());
      }
      if (system.contains("scenario:hang.")) {
        return turn.step() == 0 ? Reply.calls(call("local__hang", new JsonObject()))
          : Reply.text("Got: " + turn.newToolResults().getFirst().text());
      }
      if (system.contains("scenario:local.")) {
        return turn.step() == 0 ? Reply.calls(call("http_fetch", new JsonObject().put("url", "http://localhost:1/")))
          : Reply.text(turn.newToolResults().getFirst().text());
      }
      return Reply.text("No scenario matched.");
    });
    data = Files.createTempDirectory(Path.of("target"), "it-agent-restart-");
    calls = data.resolve("mcp-calls.txt");
    JsonObject tree = new JsonObject()
      .put("llm", new JsonObject().put("providers", new JsonArray().add(new JsonObject().put("name", "openai")
        .put("type", "openai").put("baseUrl", llm.openAiBaseUrl()).put("model", "scripted-1").put("maxRetries", 0))))
      .put("tools", new JsonObject()
        .put("httpFetch", new JsonObject().put("allowHosts", new JsonArray().add("localhost")))
        .put("mcp", new JsonArray().add(new JsonObject().put("name", "local")
          .put("command", new JsonArray(TestMcpServer.stdioCommand(calls))).put("tenants", new JsonArray().add("*")))));
    config = data.resolve("agents.json");
    Files.writeString(config, tree.encodePrettily());
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  static TestServer server() throws Exception {
    return TestServer.start(data, Map.of("config", config.toString(), "http.shutdownGraceMs", "500",
      "admin.key", "restart-admin-key-0123456789"));
  }

  static long count(String prefix) throws Exception {
    return Files.exists(calls) ? Files.readAllLines(calls).stream().filter(l -> l.startsWith(prefix)).count() : 0;
  }

  static <T> T eventually(Supplier<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    T value = probe.get();
    while (!done.test(value)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met in 60 s; last value: " + value);
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      value = probe.get();
    }
    return value;
  }

  static void agent(TestServer server, String name, JsonObject spec) {
    HttpResponse<String> response = server.postJson("/v1/agents", spec.put("name", name).encode());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
  }

  @Test
  @DisplayName("a run paused for approval and a run interrupted mid-tool-call both go on after a restart; no call runs twice")
  void restart() throws Exception {
    String approveId;
    String hangId;
    try (TestServer first = server()) {
      agent(first, "approver", new JsonObject().put("instructions", "scenario:approve.")
        .put("tools", new JsonArray().add("local__note")).put("approval", new JsonArray().add("local__note")));
      agent(first, "hanger", new JsonObject().put("instructions", "scenario:hang.")
        .put("tools", new JsonArray().add("local__hang")));
      JsonObject paused = TestServer.json(first.postJson("/v1/agents/approver/runs", "{\"input\":\"Ship it.\"}"));
      approveId = paused.getString("id");
      assertThat(paused.getString("status")).isEqualTo("waiting_approval");
      assertThat(paused.getJsonArray("pending").getJsonObject(0).getString("tool")).isEqualTo("local__note");
      assertThat(paused.getJsonArray("pending").getJsonObject(0).getJsonObject("arguments"))
        .isEqualTo(new JsonObject().put("text", "ship it"));
      assertThat(count("note")).isZero();

      CompletableFuture<HttpResponse<String>> hanging = CompletableFuture.supplyAsync(() ->
        first.postJson("/v1/agents/hanger/runs", "{\"input\":\"Wait.\",\"detach\":true}"));
      eventually(() -> {
        try {
          return count("hang");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, n -> n == 1);
      JsonObject running = TestServer.json(first.get("/v1/agents/hanger/runs")).getJsonArray("runs").getJsonObject(0);
      hangId = running.getString("id");
      assertThat(running.getString("status")).isEqualTo("running");
      first.close();
      hanging.handle((r, e) -> null).join();
    }

    try (TestServer second = server()) {
      JsonObject resumed = eventually(() -> TestServer.json(second.get("/v1/runs/" + hangId)),
        run -> "completed".equals(run.getString("status")));
      assertThat(resumed.getString("output")).startsWith("Got: ").contains("interrupted by a server restart");
      assertThat(count("hang")).isEqualTo(1);

      HttpResponse<String> approved = second.postJson("/v1/runs/" + approveId + "/approve", "");
      HttpResponse<String> again = second.postJson("/v1/runs/" + approveId + "/approve", "");

      assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
      JsonObject done = TestServer.json(approved);
      assertThat(done.getString("status")).isEqualTo("completed");
      assertThat(done.getString("output")).isEqualTo("Noted: noted");
      assertThat(again.statusCode()).isEqualTo(409);
      assertThat(count("note ship it")).isEqualTo(1);
      JsonObject stored = TestServer.json(second.get("/v1/runs/" + approveId));
      assertThat(stored.containsKey("pending")).isFalse();
      assertThat(stored.getJsonArray("steps").stream().map(s -> ((JsonObject) s).getString("type")).toList())
        .containsExactly("model", "tool", "model");
    }
  }

  @Test
  @DisplayName("a rejected call ends the run rejected without running; a cancelled run cannot be approved")
  void rejectAndCancel() throws Exception {
    try (TestServer server = server()) {
      agent(server, "reviewed", new JsonObject().put("instructions", "scenario:approve.")
        .put("tools", new JsonArray().add("local__note")).put("approval", new JsonArray().add("local__note")));
      long notes = count("note");
      String rejected = TestServer.json(server.postJson("/v1/agents/reviewed/runs", "{\"input\":\"a\"}")).getString("id");
      String cancelled = TestServer.json(server.postJson("/v1/agents/reviewed/runs", "{\"input\":\"b\"}")).getString("id");

      JsonObject afterReject = TestServer.json(server.postJson("/v1/runs/" + rejected + "/reject", "{\"reason\":\"no\"}"));
      JsonObject afterCancel = TestServer.json(server.postJson("/v1/runs/" + cancelled + "/cancel", ""));

      assertThat(afterReject.getString("status")).isEqualTo("rejected");
      assertThat(afterReject.getJsonObject("error").getString("message")).isEqualTo("no");
      assertThat(afterCancel.getString("status")).isEqualTo("cancelled");
      assertThat(server.postJson("/v1/runs/" + cancelled + "/approve", "").statusCode()).isEqualTo(409);
      assertThat(server.postJson("/v1/runs/" + rejected + "/approve", "").statusCode()).isEqualTo(409);
      assertThat(count("note")).isEqualTo(notes);
      List<String> actions = eventually(() -> TestServer.json(server.get("/v1/admin/audit?tenant=default&limit=200"))
          .getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("action")).toList(),
        a -> a.contains("run.reject") && a.contains("run.cancel"));
      assertThat(actions).contains("agent.create");
    }
  }

  @Test
  @DisplayName("http_fetch of a host name that resolves to 127.0.0.1 is refused when private targets are not allowed")
  void egressRefused() throws Exception {
    try (TestServer server = server()) {
      agent(server, "local-fetch", new JsonObject().put("instructions", "scenario:local.")
        .put("tools", new JsonArray().add("http_fetch")));

      JsonObject run = TestServer.json(server.postJson("/v1/agents/local-fetch/runs", "{\"input\":\"fetch\"}"));

      assertThat(run.getString("status")).isEqualTo("completed");
      assertThat(run.getString("output")).contains("refused").contains("'localhost' resolves to").contains("loopback");
    }
  }

  @Test
  @DisplayName("with Redis down a run with a cost budget ends failed (fail closed) while a token-only run goes on")
  void costBudgetFailsClosed() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("target"), "it-agent-redis-down-");
    io.ganglion.store.EmbeddedRedisServer redis = io.ganglion.store.EmbeddedRedisServer.start(dir);
    try (TestServer server = TestServer.start(dir, Map.of("config", config.toString(), "redis.url", redis.url(),
      "admin.key", "redis-down-admin-key-0123456789"))) {
      agent(server, "priced", new JsonObject().put("instructions", "scenario:none.")
        .put("budget", new JsonObject().put("costUsd", 1.0).put("tokens", 100_000)));
      agent(server, "counted", new JsonObject().put("instructions", "scenario:none.")
        .put("budget", new JsonObject().put("tokens", 100_000)));
      HttpResponse<String> created = server.postJson("/v1/admin/keys", "{\"tenant\":\"default\",\"scopes\":[\"chat\"]}");
      String key = TestServer.json(created).getString("key");

      redis.close();
      JsonObject priced = TestServer.json(server.send(server.request("/v1/agents/priced/runs")
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"input\":\"hi\"}")).build()));
      JsonObject counted = TestServer.json(server.send(server.request("/v1/agents/counted/runs")
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"input\":\"hi\"}")).build()));

      assertThat(priced.getString("status")).isEqualTo("failed");
      assertThat(priced.getJsonObject("error").getString("code")).isEqualTo("unavailable");
      assertThat(priced.getJsonObject("error").getString("message")).contains("cost budget cannot be checked");
      assertThat(counted.getString("status")).isEqualTo("completed");
      assertThat(counted.getString("output")).isEqualTo("No scenario matched.");
    }
  }

  @Test
  @DisplayName("without a configured LLM provider, creating a run answers 422 saying an agent needs one")
  void noProvider() {
    TestServer shared = TestServer.shared();
    shared.postJson("/v1/agents", new JsonObject().put("name", "no-provider").put("instructions", "x").encode());

    HttpResponse<String> response = shared.postJson("/v1/agents/no-provider/runs", "{\"input\":\"hi\"}");

    assertThat(response.statusCode()).isEqualTo(422);
    JsonObject error = TestServer.json(response).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("unprocessable");
    assertThat(error.getString("message")).contains("an agent needs an LLM provider");
  }
}
