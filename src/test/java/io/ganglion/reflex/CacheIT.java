package io.ganglion.reflex;

import io.ganglion.TestServer;
import io.ganglion.orchestration.SseEvents;
import io.ganglion.orchestration.TestCorpus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The response cache in front of ask and chat completions")
class CacheIT {

  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.shared();
    TestCorpus.ingest(server);
  }

  static HttpResponse<String> ask(String kb, JsonObject body) {
    return server.postJson("/v1/kbs/" + kb + "/ask", body.encode());
  }

  static String cache(HttpResponse<String> response) {
    return response.headers().firstValue("X-Ganglion-Cache").orElse("(none)");
  }

  static JsonObject withoutConversation(HttpResponse<String> response) {
    JsonObject json = TestServer.json(response);
    json.remove("conversationId");
    return json;
  }

  @Test
  @DisplayName("the second ask of a question (differently cased and spaced) is a hit with the same answer, trace and citations")
  void hitAfterMiss() {
    HttpResponse<String> first = ask(TestCorpus.KB, new JsonObject().put("question", "Who approves vacation requests?"));
    HttpResponse<String> second = ask(TestCorpus.KB, new JsonObject().put("question", "  who approves VACATION requests "));
    HttpResponse<String> third = ask(TestCorpus.KB, new JsonObject().put("question", "Who approves vacation requests?"));

    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(cache(first)).isEqualTo("miss");
    assertThat(cache(second)).isEqualTo("hit");
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(TestServer.json(first).getString("conversationId")).isNotBlank();
    assertThat(TestServer.json(second).getValue("conversationId")).as("a hit starts no conversation").isNull();
    assertThat(withoutConversation(second)).isEqualTo(withoutConversation(first));
    assertThat(third.body()).isEqualTo(second.body());
    assertThat(TestServer.json(second).getString("answer")).contains("team lead");
  }

  @Test
  @DisplayName("different generator settings, a conversation, or Cache-Control: no-cache are not served from the same entry")
  void notShared() {
    String question = "Are contractors eligible for paid vacation?";
    assertThat(cache(ask(TestCorpus.KB, new JsonObject().put("question", question)))).isEqualTo("miss");
    assertThat(cache(ask(TestCorpus.KB, new JsonObject().put("question", question)))).isEqualTo("hit");
    assertThat(cache(ask(TestCorpus.KB, new JsonObject().put("question", question).put("k", 3)))).isEqualTo("miss");

    HttpResponse<String> first = ask(TestCorpus.KB, new JsonObject().put("question", question));
    String conversation = TestServer.json(ask(TestCorpus.KB, new JsonObject().put("question", "Who approves vacation?")
      .put("k", 7))).getString("conversationId");
    HttpResponse<String> inConversation = ask(TestCorpus.KB, new JsonObject().put("question", question)
      .put("conversationId", conversation));
    assertThat(cache(first)).isEqualTo("hit");
    assertThat(cache(inConversation)).isEqualTo("miss");
    assertThat(TestServer.json(inConversation).getString("conversationId")).isEqualTo(conversation);

    HttpResponse<String> fresh = server.send(server.authed("/v1/kbs/" + TestCorpus.KB + "/ask")
      .header("Content-Type", "application/json").header("Cache-Control", "no-cache")
      .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("question", question).encode())).build());
    assertThat(cache(fresh)).isEqualTo("miss");
    assertThat(TestServer.json(fresh).getString("traceId")).isNotEqualTo(TestServer.json(first).getString("traceId"));
  }

  @Test
  @DisplayName("a streamed hit replays the answer as SSE: a cache step, the text, the citations, then done")
  void streamedHit() {
    JsonObject question = new JsonObject().put("question", "How long until lost laptops must be reported?");
    HttpResponse<String> miss = ask(TestCorpus.KB, question);
    HttpResponse<String> hit = server.send(server.authed("/v1/kbs/" + TestCorpus.KB + "/ask")
      .header("Content-Type", "application/json").header("Accept", "text/event-stream")
      .POST(HttpRequest.BodyPublishers.ofString(question.encode())).build());

    assertThat(cache(miss)).isEqualTo("miss");
    assertThat(hit.statusCode()).isEqualTo(200);
    assertThat(cache(hit)).isEqualTo("hit");
    List<SseEvents.Event> events = SseEvents.parse(hit.body());
    assertThat(events.stream().map(SseEvents.Event::name).toList().subList(0, 2)).containsExactly("step", "token");
    assertThat(events.getFirst().json().getString("name")).isEqualTo("cache");
    assertThat(events.getLast().name()).isEqualTo("done");
    JsonObject done = events.getLast().json();
    assertThat(done.getString("answer")).isEqualTo(TestServer.json(miss).getString("answer")).contains("24 hours");
    assertThat(events.get(1).json().getString("text")).isEqualTo(done.getString("answer"));
    List<JsonObject> citations = events.stream().filter(e -> e.name().equals("citation")).map(SseEvents.Event::json).toList();
    assertThat(new JsonArray(List.copyOf(citations))).isEqualTo(done.getJsonArray("citations")).isNotEmpty();
  }

  @Test
  @DisplayName("chat completions are cached too: a JSON hit is the same completion, a streamed hit the same OpenAI chunks")
  void chatCompletions() {
    JsonObject body = new JsonObject().put("model", "kb:" + TestCorpus.KB).put("messages", new JsonArray()
      .add(new JsonObject().put("role", "system").put("content", "Be brief."))
      .add(new JsonObject().put("role", "user").put("content", "When are taxi rides reimbursed?")));
    HttpResponse<String> miss = server.postJson("/v1/chat/completions", body.encode());
    HttpResponse<String> hit = server.postJson("/v1/chat/completions", body.encode());
    HttpResponse<String> streamed = server.postJson("/v1/chat/completions", body.copy().put("stream", true)
      .put("stream_options", new JsonObject().put("include_usage", true)).encode());

    assertThat(cache(miss)).isEqualTo("miss");
    assertThat(cache(hit)).isEqualTo("hit");
    JsonObject a = TestServer.json(miss);
    JsonObject b = TestServer.json(hit);
    String text = a.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
    assertThat(text).contains("10 pm");
    assertThat(b.getJsonArray("choices")).isEqualTo(a.getJsonArray("choices"));
    assertThat(b.getString("id")).isEqualTo(a.getString("id"));
    assertThat(b.getJsonArray("citations")).isEqualTo(a.getJsonArray("citations"));
    assertThat(b.getJsonObject("usage")).isEqualTo(a.getJsonObject("usage"));

    assertThat(cache(streamed)).isEqualTo("hit");
    List<SseEvents.Event> events = SseEvents.parse(streamed.body());
    assertThat(events.getLast().data()).isEqualTo("[DONE]");
    List<JsonObject> chunks = events.subList(0, events.size() - 1).stream().map(SseEvents.Event::json).toList();
    assertThat(chunks).allMatch(c -> c.getString("object").equals("chat.completion.chunk"));
    assertThat(chunks.getFirst().getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("role"))
      .isEqualTo("assistant");
    StringBuilder content = new StringBuilder();
    chunks.stream().filter(c -> !c.getJsonArray("choices").isEmpty())
      .forEach(c -> content.append(c.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content", "")));
    assertThat(content.toString()).isEqualTo(text);
    assertThat(chunks.getLast().getJsonArray("choices")).isEmpty();
    assertThat(chunks.getLast().getJsonObject("usage").getInteger("completion_tokens")).isPositive();

    JsonObject followUp = body.copy();
    followUp.getJsonArray("messages").add(new JsonObject().put("role", "assistant").put("content", text))
      .add(new JsonObject().put("role", "user").put("content", "When are taxi rides reimbursed?"));
    assertThat(cache(server.postJson("/v1/chat/completions", followUp.encode()))).as("earlier turns are part of the key")
      .isEqualTo("miss");
  }

  @Test
  @DisplayName("ingesting or deleting a document invalidates the knowledge base's answers at once")
  void invalidation() {
    String kb = "cache-invalidation";
    assertThat(server.postJson("/v1/kbs", new JsonObject().put("name", kb).encode()).statusCode()).isIn(201, 409);
    ingest(kb, "cafeteria", "Cafeteria", "The cafeteria opens at 8 am and serves lunch until 2 pm.");
    JsonObject question = new JsonObject().put("question", "When does the cafeteria open?");
    assertThat(cache(ask(kb, question))).isEqualTo("miss");
    assertThat(cache(ask(kb, question))).isEqualTo("hit");

    ingest(kb, "parking", "Parking", "Parking spaces are assigned by the facilities team.");
    HttpResponse<String> afterIngest = ask(kb, question);
    assertThat(cache(afterIngest)).isEqualTo("miss");
    assertThat(TestServer.json(afterIngest).getString("answer")).contains("8 am");
    assertThat(cache(ask(kb, question))).isEqualTo("hit");

    assertThat(server.delete("/v1/kbs/" + kb + "/documents/parking").statusCode()).isIn(200, 204);
    assertThat(cache(ask(kb, question))).isEqualTo("miss");

    assertThat(server.delete("/v1/kbs/" + kb).statusCode()).isEqualTo(204);
    assertThat(ask(kb, question).statusCode()).as("a deleted knowledge base answers nothing from the cache").isEqualTo(404);
  }

  @Test
  @DisplayName("concurrent identical misses run one orchestration: every caller gets the answer of the same trace")
  void stampede() throws Exception {
    JsonObject question = new JsonObject().put("question", "How long does the onboarding buddy program last?");
    int callers = 12;
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      for (int i = 0; i < callers; i++) {
        calls.add(CompletableFuture.supplyAsync(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          return ask(TestCorpus.KB, question);
        }, pool));
      }
      go.countDown();
      List<HttpResponse<String>> responses = calls.stream().map(CompletableFuture::join).toList();
      assertThat(responses).allMatch(r -> r.statusCode() == 200);
      assertThat(responses.stream().map(r -> TestServer.json(r).getString("traceId")).distinct()).hasSize(1);
      assertThat(responses.stream().filter(r -> cache(r).equals("miss"))).hasSize(1);
    }
    String metrics = server.send(server.request("/metrics").GET().build()).body();
    assertThat(metrics).contains("ganglion_reflex_cache_hits_total{layer=\"inflight\"")
      .contains("ganglion_reflex_cache_misses_total").contains("ganglion_reflex_cache_hit_ratio");
  }

  @Test
  @DisplayName("a cached ask is the same hit whatever form its request takes: a charset, a trailing slash, an escaped name; another content type is 415; each is named /v1/kbs/:kb/ask in the HTTP metrics")
  void askFormsShareTheRoute() {
    JsonObject question = new JsonObject().put("question", "How many vacation days do employees get?");
    HttpResponse<String> first = ask(TestCorpus.KB, question);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    String hit = ask(TestCorpus.KB, question).body();
    // answered by the last /v1 guard (a plain path and content type) or by the router's ask route (the rest)
    for (String[] form : new String[][]{{"/v1/kbs/" + TestCorpus.KB + "/ask", "application/json; charset=utf-8"},
      {"/v1/kbs/" + TestCorpus.KB + "/ask/", "application/json"},
      {"/v1/kbs/hand%62ook/ask", "application/json"},
      {"/v1/kbs/x/../" + TestCorpus.KB + "/ask", "application/json"}}) {
      HttpResponse<String> response = server.send(server.authed(form[0]).header("Content-Type", form[1])
        .POST(HttpRequest.BodyPublishers.ofString(question.encode())).build());
      assertThat(response.statusCode()).as(form[0] + " " + form[1] + ": " + response.body()).isEqualTo(200);
      assertThat(cache(response)).isEqualTo("hit");
      assertThat(response.body()).isEqualTo(hit);
    }
    HttpResponse<String> plain = server.send(server.authed("/v1/kbs/" + TestCorpus.KB + "/ask")
      .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(question.encode())).build());
    assertThat(plain.statusCode()).isEqualTo(415);
    assertThat(TestServer.json(plain).getJsonObject("error").getString("requestId")).isNotBlank();
    HttpResponse<String> unknown = ask("no-such-kb", question);
    assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
    String metrics = server.send(server.request("/metrics").GET().build()).body();
    assertThat(metrics).containsPattern("vertx_http_server_requests_total\\{[^}]*code=\"200\"[^}]*route=\"/v1/kbs/:kb/ask\"");
    assertThat(metrics).doesNotContainPattern("vertx_http_server_requests_total\\{[^}]*code=\"200\"[^}]*route=\"/v1/\"");
  }

  private static void ingest(String kb, String id, String title, String text) {
    HttpResponse<String> response = server.postJson("/v1/kbs/" + kb + "/documents", new JsonObject().put("documents",
      new JsonArray().add(new JsonObject().put("id", id).put("title", title).put("text", text))).encode());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }
}
