package io.ganglion.generation;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("Function calling through both upstream protocols")
class FunctionCallingTest {

  private static final ToolDefinition WEATHER = new ToolDefinition("weather", "Weather of a city",
    new JsonObject().put("type", "object").put("properties", new JsonObject()
      .put("city", new JsonObject().put("type", "string"))).put("required", new io.vertx.core.json.JsonArray().add("city")));

  private ScriptedLlm llm;
  private ChatProvider openAi;
  private ChatProvider anthropic;

  @BeforeEach
  void start(Vertx vertx) {
    llm = ScriptedLlm.start(vertx);
    openAi = Wire.openAi(vertx, Wire.config("openai", "openai", llm.openAiBaseUrl()));
    anthropic = new AnthropicProvider(vertx.createHttpClient(),
      Wire.config("claude", "anthropic", llm.anthropicBaseUrl()), "sk-ant-test");
  }

  @AfterEach
  void stop() {
    llm.close();
  }

  private static ChatRequest ask() {
    return ChatRequest.of("Use tools.", "Weather in Oslo and Lima?").withTools(List.of(WEATHER));
  }

  private void twoCalls() {
    llm.script(turn -> turn.step() == 0
      ? ScriptedLlm.Reply.calls(new ToolCall("c1", "weather", "{\"city\":\"Oslo\"}"),
        new ToolCall("c2", "weather", "{\"city\":\"Lima\",\"unit\":\"C\"}"))
      : ScriptedLlm.Reply.text("Oslo 3, Lima 19."));
  }

  private static ChatResult stream(Vertx vertx, ChatProvider provider, ChatRequest request, List<String> deltas) {
    io.vertx.core.Promise<ChatResult> promise = io.vertx.core.Promise.promise();
    vertx.runOnContext(x -> provider.stream(request, deltas::add).result().onComplete(promise));
    return promise.future().await();
  }

  @Test
  @DisplayName("OpenAI: streamed tool_calls fragments are reassembled per index, two interleaved calls in order")
  void openAiStreamedFragments(Vertx vertx) {
    twoCalls();
    ChatResult result = stream(vertx, openAi, ask(), new CopyOnWriteArrayList<>());

    assertThat(result.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(result.toolCalls()).containsExactly(new ToolCall("c1", "weather", "{\"city\":\"Oslo\"}"),
      new ToolCall("c2", "weather", "{\"city\":\"Lima\",\"unit\":\"C\"}"));
    JsonObject sent = llm.received().getFirst().body();
    assertThat(sent.getJsonArray("tools").getJsonObject(0).getString("type")).isEqualTo("function");
    assertThat(sent.getJsonArray("tools").getJsonObject(0).getJsonObject("function").getJsonObject("parameters"))
      .isEqualTo(WEATHER.parameters());
  }

  @Test
  @DisplayName("OpenAI: the calls and their results go back as an assistant tool_calls turn and tool messages")
  void openAiResultsSentBack(Vertx vertx) {
    twoCalls();
    ChatResult first = openAi.complete(ask()).await();
    ChatRequest next = ask().withMessages(List.of(ChatMessage.user("Weather in Oslo and Lima?"),
      ChatMessage.assistant("", first.toolCalls()),
      ChatMessage.toolResult("c1", "3 C", false), ChatMessage.toolResult("c2", "19 C", false)));
    List<String> deltas = new CopyOnWriteArrayList<>();
    ChatResult second = stream(vertx, openAi, next, deltas);

    assertThat(second.text()).isEqualTo("Oslo 3, Lima 19.");
    assertThat(String.join("", deltas)).isEqualTo("Oslo 3, Lima 19.");
    var messages = llm.received().getLast().body().getJsonArray("messages");
    JsonObject assistant = messages.getJsonObject(2);
    assertThat(assistant.getValue("content")).isNull();
    assertThat(assistant.getJsonArray("tool_calls").getJsonObject(1).getJsonObject("function").getString("arguments"))
      .isEqualTo("{\"city\":\"Lima\",\"unit\":\"C\"}");
    assertThat(messages.getJsonObject(3)).isEqualTo(new JsonObject().put("role", "tool").put("tool_call_id", "c1")
      .put("content", "3 C"));
  }

  @Test
  @DisplayName("Anthropic: tool_use blocks streamed as input_json_delta pieces become complete calls")
  void anthropicStreamedInputJson(Vertx vertx) {
    twoCalls();
    ChatResult result = stream(vertx, anthropic, ask(), new CopyOnWriteArrayList<>());

    assertThat(result.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(result.toolCalls()).extracting(ToolCall::id, ToolCall::name).containsExactly(
      org.assertj.core.groups.Tuple.tuple("c1", "weather"), org.assertj.core.groups.Tuple.tuple("c2", "weather"));
    assertThat(new JsonObject(result.toolCalls().get(1).arguments()))
      .isEqualTo(new JsonObject().put("city", "Lima").put("unit", "C"));
    assertThat(llm.received().getFirst().body().getJsonArray("tools").getJsonObject(0).getJsonObject("input_schema"))
      .isEqualTo(WEATHER.parameters());
  }

  @Test
  @DisplayName("Anthropic: results go back as tool_result blocks of one user turn after the assistant's tool_use blocks")
  void anthropicResultsSentBack() {
    twoCalls();
    ChatResult first = anthropic.complete(ask()).await();
    ChatRequest next = ask().withMessages(List.of(ChatMessage.user("Weather in Oslo and Lima?"),
      ChatMessage.assistant("Checking.", first.toolCalls()),
      ChatMessage.toolResult("c1", "3 C", false), ChatMessage.toolResult("c2", "no such city", true)));
    ChatResult second = anthropic.complete(next).await();

    assertThat(second.text()).isEqualTo("Oslo 3, Lima 19.");
    var messages = llm.received().getLast().body().getJsonArray("messages");
    assertThat(messages).hasSize(3);
    var assistant = messages.getJsonObject(1).getJsonArray("content");
    assertThat(assistant.getJsonObject(0).getString("type")).isEqualTo("text");
    assertThat(assistant.getJsonObject(1).getJsonObject("input")).isEqualTo(new JsonObject().put("city", "Oslo"));
    var results = messages.getJsonObject(2).getJsonArray("content");
    assertThat(results).hasSize(2);
    assertThat(results.getJsonObject(1)).isEqualTo(new JsonObject().put("type", "tool_result")
      .put("tool_use_id", "c2").put("content", "no such city").put("is_error", true));
  }
}
