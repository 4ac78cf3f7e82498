package io.ganglion.reflex;

import io.ganglion.LogCapture;
import io.ganglion.TestServer;
import io.ganglion.orchestration.SseEvents;
import io.ganglion.orchestration.TestCorpus;
import io.ganglion.reflex.rules.RuleBook;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DisplayName("Reflex rules on the ask and chat paths")
class RulesIT {

  static final String RULES = """
    rules:
      - {name: no-salaries, match: {keywords: [salary, payroll]}, action: block, message: "Salaries are not discussed here; ask HR."}
      - {name: greeting, match: {regex: "^(hi|hello)\\\\b"}, action: answer, message: "Hello! Ask me about the staff handbook."}
      - {name: to-handbook, match: {keywords: [vacation]}, kbs: [elsewhere], action: route, kb: handbook}
    """;

  static Path rulesFile;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    Path dataDir = Files.createTempDirectory(Path.of("target"), "rules-");
    rulesFile = dataDir.resolve("rules.yaml");
    Files.writeString(rulesFile, RULES);
    server = TestServer.start(dataDir, Map.of("reflex.rulesFile", rulesFile.toString(), "reflex.rulesCheckMs", "200"));
    TestCorpus.ingest(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static HttpResponse<String> ask(String kb, String question) {
    return server.postJson("/v1/kbs/" + kb + "/ask", new JsonObject().put("question", question).encode());
  }

  @Test
  @DisplayName("block: 422 unprocessable with the rule's message, streamed or not, and never cached")
  void block() {
    HttpResponse<String> blocked = ask(TestCorpus.KB, "What is the CEO's salary?");
    assertThat(blocked.statusCode()).isEqualTo(422);
    JsonObject error = TestServer.json(blocked).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("unprocessable");
    assertThat(error.getString("message")).isEqualTo("Salaries are not discussed here; ask HR.");
    assertThat(ask(TestCorpus.KB, "What is the CEO's salary?").statusCode()).isEqualTo(422);
    HttpResponse<String> streamed = server.postJson("/v1/kbs/" + TestCorpus.KB + "/ask",
      new JsonObject().put("question", "payroll date?").put("stream", true).encode());
    assertThat(streamed.statusCode()).isEqualTo(422);
    HttpResponse<String> chat = server.postJson("/v1/chat/completions", chat("Tell me the payroll schedule", false));
    assertThat(chat.statusCode()).isEqualTo(422);
  }

  @Test
  @DisplayName("answer: the canned reply in the answer shape, generator rule:<name>, without retrieval, in JSON, SSE and OpenAI form")
  void answer() {
    HttpResponse<String> response = ask(TestCorpus.KB, "Hello there");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("X-Ganglion-Rule")).contains("greeting");
    JsonObject answer = TestServer.json(response);
    assertThat(answer.getString("answer")).isEqualTo("Hello! Ask me about the staff handbook.");
    assertThat(answer.getString("generator")).isEqualTo("rule:greeting");
    assertThat(answer.getJsonArray("citations")).isEmpty();
    assertThat(answer.getBoolean("abstained")).isFalse();
    assertThat(ask("no-such-kb", "hi").statusCode()).as("a global rule answers before the KB is looked up").isEqualTo(200);

    HttpResponse<String> streamed = server.postJson("/v1/kbs/" + TestCorpus.KB + "/ask",
      new JsonObject().put("question", "hi!").put("stream", true).encode());
    List<SseEvents.Event> events = SseEvents.parse(streamed.body());
    assertThat(events.stream().map(SseEvents.Event::name)).containsExactly("step", "token", "done");
    assertThat(events.getFirst().json().getString("name")).isEqualTo("rule");
    assertThat(events.get(1).json().getString("text")).isEqualTo("Hello! Ask me about the staff handbook.");

    JsonObject completion = TestServer.json(server.postJson("/v1/chat/completions", chat("hello", false)));
    assertThat(completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"))
      .isEqualTo("Hello! Ask me about the staff handbook.");
    assertThat(completion.getString("generator")).isEqualTo("rule:greeting");
  }

  @Test
  @DisplayName("route: a question for one knowledge base is answered from the rule's target")
  void route() {
    HttpResponse<String> routed = ask("elsewhere", "How many vacation days do employees get?");
    assertThat(routed.statusCode()).as(routed.body()).isEqualTo(200);
    assertThat(routed.headers().firstValue("X-Ganglion-Rule")).contains("to-handbook");
    JsonObject answer = TestServer.json(routed);
    assertThat(answer.getString("answer")).contains("25 days");
    assertThat(answer.getJsonArray("citations").getJsonObject(0).getString("documentId")).isEqualTo("doc-vacation");
    assertThat(ask("elsewhere", "Who approves expenses?").statusCode()).as("the rule is for vacation questions only")
      .isEqualTo(404);
  }

  @Test
  @DisplayName("the rules file is hot-reloaded; a broken file keeps the rules in force")
  void hotReload() throws Exception {
    assertThat(ask(TestCorpus.KB, "Do we have a canteen menu?").statusCode()).isEqualTo(200);
    write(RULES + "  - {name: canteen, match: {keywords: [canteen]}, action: answer, message: \"See the intranet.\"}\n", 10);
    awaitGenerator("Do we have a canteen menu?", "rule:canteen");

    try (LogCapture log = LogCapture.of(RuleBook.class)) {
      write("rules: [{name: broken, match: {regex: \"(\"}, action: block}]\n", 20);
      await("the broken file is read and rejected").atMost(Duration.ofSeconds(10))
        .until(() -> log.logged("not loaded, keeping the"));
    }
    assertThat(TestServer.json(ask(TestCorpus.KB, "canteen?")).getString("generator")).isEqualTo("rule:canteen");

    write(RULES, 30);
    awaitGenerator("Do we have a canteen menu?", "extractive");
  }

  private static void awaitGenerator(String question, String generator) {
    await("answers from " + generator).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
      .until(() -> TestServer.json(server.send(server.authed("/v1/kbs/" + TestCorpus.KB + "/ask")
        .header("Content-Type", "application/json").header("Cache-Control", "no-cache")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(new JsonObject().put("question", question).encode()))
        .build())).getString("generator"), generator::equals);
  }

  private static void write(String text, int seconds) throws Exception {
    Files.writeString(rulesFile, text);
    Files.setLastModifiedTime(rulesFile, FileTime.from(Instant.now().plusSeconds(seconds)));
  }

  private static String chat(String question, boolean stream) {
    return new JsonObject().put("model", "kb:" + TestCorpus.KB).put("stream", stream).put("messages", new JsonArray()
      .add(new JsonObject().put("role", "user").put("content", question))).encode();
  }
}
