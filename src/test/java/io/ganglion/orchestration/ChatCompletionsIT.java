package io.ganglion.orchestration;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The OpenAI-compatible API")
class ChatCompletionsIT {

  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.shared();
    TestCorpus.ingest(server);
  }

  static JsonObject body(boolean stream) {
    JsonObject body = new JsonObject().put("model", "kb:" + TestCorpus.KB)
      .put("messages", new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", "You are helpful."))
        .add(new JsonObject().put("role", "user").put("content", "How many vacation days do employees get?")));
    return stream ? body.put("stream", true).put("stream_options", new JsonObject().put("include_usage", true)) : body;
  }

  @Test
  @DisplayName("a non-streamed completion has the exact chat.completion shape, the answer with [n] markers, usage and citations")
  void nonStreamed() {
    HttpResponse<String> response = server.postJson("/v1/chat/completions", body(false).encode());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject completion = TestServer.json(response);
    assertThat(completion.getString("id")).startsWith("chatcmpl-");
    assertThat(completion.getString("object")).isEqualTo("chat.completion");
    assertThat(completion.getValue("created")).isInstanceOf(Number.class);
    assertThat(completion.getString("model")).isEqualTo("kb:" + TestCorpus.KB);
    JsonObject choice = completion.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getInteger("index")).isZero();
    assertThat(choice.getString("finish_reason")).isEqualTo("stop");
    assertThat(choice.getJsonObject("message").getString("role")).isEqualTo("assistant");
    assertThat(choice.getJsonObject("message").getString("content")).contains("25 days").contains("[1]");
    JsonObject usage = completion.getJsonObject("usage");
    assertThat(usage.getInteger("total_tokens")).isEqualTo(usage.getInteger("prompt_tokens") + usage.getInteger("completion_tokens"))
      .isPositive();
    assertThat(completion.getJsonArray("citations").getJsonObject(0).getString("documentId")).isEqualTo("doc-vacation");
  }

  @Test
  @DisplayName("a streamed completion parses as the SDK parses it: chunks of one id, role first, content deltas, stop, usage, [DONE]")
  void streamed() {
    HttpResponse<String> response = server.postJson("/v1/chat/completions", body(true).encode());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/event-stream"));
    List<SseEvents.Event> events = SseEvents.parse(response.body());
    assertThat(events).allMatch(e -> e.name().equals("message"));
    assertThat(events.getLast().data()).isEqualTo("[DONE]");
    List<JsonObject> chunks = new ArrayList<>();
    for (SseEvents.Event event : events.subList(0, events.size() - 1)) {
      JsonObject chunk = event.json();
      assertThat(chunk.containsKey("error")).as(event.data()).isFalse();
      chunks.add(chunk);
    }
    String id = chunks.getFirst().getString("id");
    StringBuilder content = new StringBuilder();
    String finish = null;
    JsonObject usage = null;
    for (JsonObject chunk : chunks) {
      assertThat(chunk.getString("id")).isEqualTo(id).startsWith("chatcmpl-");
      assertThat(chunk.getString("object")).isEqualTo("chat.completion.chunk");
      assertThat(chunk.getString("model")).isEqualTo("kb:" + TestCorpus.KB);
      assertThat(chunk.getValue("created")).isInstanceOf(Number.class);
      JsonArray choices = chunk.getJsonArray("choices");
      if (choices.isEmpty()) {
        usage = chunk.getJsonObject("usage");
        continue;
      }
      JsonObject delta = choices.getJsonObject(0).getJsonObject("delta");
      content.append(delta.getString("content", ""));
      if (choices.getJsonObject(0).getString("finish_reason") != null) {
        finish = choices.getJsonObject(0).getString("finish_reason");
        assertThat(chunk.getJsonArray("citations")).isNotEmpty();
      }
    }
    assertThat(chunks.getFirst().getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("role")).isEqualTo("assistant");
    assertThat(finish).isEqualTo("stop");
    assertThat(content.toString()).contains("25 days").contains("[1]");
    assertThat(usage).isNotNull();
    assertThat(usage.getInteger("completion_tokens")).isPositive();
    assertThat(chunks.getLast().getJsonArray("choices")).isEmpty();
  }

  @Test
  @DisplayName("earlier turns are history: a follow-up is searched with the previous question's terms")
  void historyFromMessages() {
    JsonObject body = new JsonObject().put("model", "kb:" + TestCorpus.KB).put("messages", new JsonArray()
      .add(new JsonObject().put("role", "user").put("content", "How many vacation days do employees get?"))
      .add(new JsonObject().put("role", "assistant").put("content", "Employees receive 25 days [1]."))
      .add(new JsonObject().put("role", "user").put("content", new JsonArray().add(textPart("And contractors?")))));
    JsonObject completion = TestServer.json(server.postJson("/v1/chat/completions", body.encode()));

    assertThat(completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"))
      .contains("Contractors are not eligible");
    JsonObject trace = TestServer.json(server.get("/v1/traces/" + completion.getString("trace_id")));
    assertThat(trace.getString("query")).contains("vacation");
  }

  /** A content part, as SDKs send multi-part messages. */
  private static JsonObject textPart(String text) {
    return new JsonObject().put("type", "text").put("text", text);
  }

  @Test
  @DisplayName("unknown models are 404 and requests without messages 400, with the error contract")
  void refusals() {
    HttpResponse<String> model = server.postJson("/v1/chat/completions",
      body(false).put("model", "gpt-4o").encode());
    assertThat(model.statusCode()).isEqualTo(404);
    assertThat(TestServer.json(model).getJsonObject("error").getString("message")).contains("gpt-4o");
    assertThat(server.postJson("/v1/chat/completions", new JsonObject().put("model", "kb:x").encode()).statusCode()).isEqualTo(400);
    HttpResponse<String> streamedUnknownKb = server.postJson("/v1/chat/completions", body(true).put("model", "kb:nope").encode());
    assertThat(streamedUnknownKb.statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("GET /v1/models lists kb:<name> for each of the caller's knowledge bases")
  void models() {
    assertThat(server.postJson("/v1/kbs", "{\"name\":\"models-kb\"}").statusCode()).isIn(201, 409);
    HttpResponse<String> response = server.send(server.authed("/v1/models").GET().build());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject list = TestServer.json(response);
    assertThat(list.getString("object")).isEqualTo("list");
    JsonObject model = list.getJsonArray("data").stream().map(JsonObject.class::cast)
      .filter(m -> m.getString("id").equals("kb:models-kb")).findFirst().orElseThrow();
    assertThat(model.getString("object")).isEqualTo("model");
    assertThat(model.getString("owned_by")).isEqualTo("ganglion");
    assertThat(model.getLong("created")).isPositive();
  }
}
