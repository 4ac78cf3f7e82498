package io.ganglion.generation;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChatRequestTest {

  @Test
  @DisplayName("A request survives the event-bus JSON round trip unchanged")
  void jsonRoundTrip() {
    ChatRequest request = new ChatRequest("sys", List.of(ChatMessage.user("q"), ChatMessage.assistant("a")),
      100, 0.7, List.of("END"), "gpt-x").withSeed(3L).withUser("u").withTopP(0.9)
      .withResponseFormat(new JsonObject().put("type", "json_object"));

    JsonObject wire = new JsonObject(request.toJson().encode());

    assertThat(ChatRequest.fromJson(wire)).isEqualTo(request);
  }

  @Test
  @DisplayName("A request without messages, or with negative max tokens, is refused")
  void validates() {
    assertThatThrownBy(() -> new ChatRequest(null, List.of(), 0, null, null, null))
      .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChatRequest.of(null, "q").withMaxTokens(-1))
      .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("A result's JSON uses the OpenAI finish reason and usage names")
  void resultJson() {
    JsonObject json = new ChatResult("t", FinishReason.LENGTH, new TokenUsage(3, 4), "m", "p").toJson();

    assertThat(json.getString("finishReason")).isEqualTo("length");
    assertThat(json.getJsonObject("usage").getInteger("total_tokens")).isEqualTo(7);
  }
}
