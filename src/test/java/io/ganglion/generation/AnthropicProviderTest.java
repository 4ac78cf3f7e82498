package io.ganglion.generation;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import java.util.concurrent.TimeUnit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AnthropicProviderTest {

  private FakeUpstream upstream;
  private ChatProvider provider;

  @BeforeEach
  void start(Vertx vertx) {
    upstream = FakeUpstream.start(vertx);
    provider = new AnthropicProvider(vertx.createHttpClient(),
      Wire.config("claude", "anthropic", upstream.baseUrl(), new JsonObject().put("defaultMaxTokens", 512)),
      "sk-ant-test");
  }

  private static ChatRequest question() {
    return new ChatRequest("Cite sources.", List.of(
      ChatMessage.user("Hi"), ChatMessage.assistant("Hello."), ChatMessage.user("What is Vert.x?")),
      0, null, List.of("END"), null);
  }

  @Test
  @DisplayName("A JSON call sends x-api-key, anthropic-version, a top-level system and the default max_tokens")
  void jsonMessage() {
    upstream.answering((attempt, request, body) ->
      Wire.json(request.response(), 200, Wire.anthropicMessage("A toolkit [1].", "end_turn", 30, 6)));

    ChatResult result = provider.complete(question()).await();

    assertThat(result.text()).isEqualTo("A toolkit [1].");
    assertThat(result.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(result.usage()).isEqualTo(new TokenUsage(30, 6));
    assertThat(result.model()).isEqualTo("claude-test-20250101");
    FakeUpstream.Received sent = upstream.last();
    assertThat(sent.path()).isEqualTo("/v1/messages");
    assertThat(sent.headers().get("x-api-key")).isEqualTo("sk-ant-test");
    assertThat(sent.headers().get("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(sent.headers().get("authorization")).isNull();
    assertThat(sent.body().getString("system")).isEqualTo("Cite sources.");
    assertThat(sent.body().getInteger("max_tokens")).isEqualTo(512);
    assertThat(sent.body().getJsonArray("stop_sequences")).containsExactly("END");
    assertThat(sent.body().getJsonArray("messages")).isEqualTo(new JsonArray()
      .add(new JsonObject().put("role", "user").put("content", "Hi"))
      .add(new JsonObject().put("role", "assistant").put("content", "Hello."))
      .add(new JsonObject().put("role", "user").put("content", "What is Vert.x?")));
  }

  @Test
  @DisplayName("A stream reads text deltas through pings up to message_stop, with usage and stop reason")
  void streaming(Vertx vertx, VertxTestContext testContext) {
    upstream.answering((attempt, request, body) -> Wire.sseAll(request.response(),
      Wire.anthropicStream(List.of("Vert.x ", "is reactive."), "max_tokens", 25, 4)));
    List<String> deltas = new CopyOnWriteArrayList<>();

    vertx.runOnContext(v -> provider.stream(question(), deltas::add).result()
      .onComplete(testContext.succeeding(result -> testContext.verify(() -> {
        assertThat(deltas).containsExactly("Vert.x ", "is reactive.");
        assertThat(result.text()).isEqualTo("Vert.x is reactive.");
        assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(result.usage()).isEqualTo(new TokenUsage(25, 4));
        assertThat(upstream.last().body().getBoolean("stream")).isTrue();
        testContext.completeNow();
      }))));
  }

  @Test
  @DisplayName("An error event mid-stream fails with its type and Anthropic's status for it")
  void errorEvent() {
    upstream.answering((attempt, request, body) -> {
      List<String> frames = new ArrayList<>(Wire.anthropicStream(List.of("Part"), "end_turn", 1, 1).subList(0, 4));
      frames.add(Wire.anthropicEvent("error", Wire.anthropicError("overloaded_error", "Overloaded")));
      Wire.sseAll(request.response(), frames);
    });

    Throwable failure = catchThrowable(() -> provider.stream(question(), delta -> { }).result().await());

    assertThat(failure).isInstanceOfSatisfying(UpstreamException.class, e -> {
      assertThat(e.status()).isEqualTo(529);
      assertThat(e.type()).isEqualTo("overloaded_error");
      assertThat(e.retryable()).isTrue();
    });
  }

  @Test
  @DisplayName("An error body is read in Anthropic's {type:error, error:{type,message}} shape")
  void errorBody() {
    upstream.answering((attempt, request, body) -> Wire.json(request.response(), 401,
      Wire.anthropicError("authentication_error", "invalid x-api-key")));

    Throwable failure = catchThrowable(() -> provider.complete(question()).await());

    assertThat(failure).isInstanceOfSatisfying(UpstreamException.class, e -> {
      assertThat(e.status()).isEqualTo(401);
      assertThat(e.type()).isEqualTo("authentication_error");
      assertThat(e.getMessage()).contains("invalid x-api-key");
    });
  }

  @Test
  @DisplayName("A stream that ends without message_stop fails as truncated")
  void truncated() {
    upstream.answering((attempt, request, body) -> {
      List<String> frames = Wire.anthropicStream(List.of("Half"), "end_turn", 1, 1);
      Wire.sseAll(request.response(), frames.subList(0, frames.size() - 1));
    });

    Throwable failure = catchThrowable(() -> provider.stream(question(), delta -> { }).result().await());

    assertThat(failure).isInstanceOf(TruncatedStreamException.class);
  }
}
