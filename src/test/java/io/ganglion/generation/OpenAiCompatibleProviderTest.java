package io.ganglion.generation;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import java.util.concurrent.TimeUnit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OpenAiCompatibleProviderTest {

  private FakeUpstream upstream;
  private ChatProvider provider;

  @BeforeEach
  void start(Vertx vertx) {
    upstream = FakeUpstream.start(vertx);
    provider = Wire.openAi(vertx, Wire.config("openai", "openai", upstream.baseUrl() + "/v1"));
  }

  private static ChatRequest question() {
    return new ChatRequest("Answer briefly.", List.of(ChatMessage.user("What is Vert.x?")), 64, 0.2,
      List.of("\n\n"), null);
  }

  @Test
  @DisplayName("A JSON completion posts the OpenAI request shape and reads text, finish reason, usage and model")
  void jsonCompletion() {
    upstream.answering((attempt, request, body) ->
      Wire.json(request.response(), 200, Wire.openAiCompletion("A toolkit [1].", "stop", 12, 5)));

    ChatResult result = provider.complete(question()).await();

    assertThat(result.text()).isEqualTo("A toolkit [1].");
    assertThat(result.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(result.usage()).isEqualTo(new TokenUsage(12, 5));
    assertThat(result.model()).isEqualTo("test-model-0613");
    assertThat(result.provider()).isEqualTo("openai");
    FakeUpstream.Received sent = upstream.last();
    assertThat(sent.path()).isEqualTo("/v1/chat/completions");
    assertThat(sent.headers().get("authorization")).isEqualTo("Bearer sk-test");
    assertThat(sent.body().getString("model")).isEqualTo("test-model");
    assertThat(sent.body().getJsonArray("messages")).isEqualTo(new JsonArray()
      .add(new JsonObject().put("role", "system").put("content", "Answer briefly."))
      .add(new JsonObject().put("role", "user").put("content", "What is Vert.x?")));
    assertThat(sent.body().getInteger("max_tokens")).isEqualTo(64);
    assertThat(sent.body().getDouble("temperature")).isEqualTo(0.2);
    assertThat(sent.body().getJsonArray("stop")).containsExactly("\n\n");
    assertThat(sent.body().containsKey("stream")).isFalse();
  }

  @Test
  @DisplayName("A stream delivers each delta in order and completes with the usage chunk's counts after [DONE]")
  void streaming(Vertx vertx, VertxTestContext testContext) {
    upstream.answering((attempt, request, body) ->
      Wire.sseAll(request.response(), Wire.openAiStream(List.of("Vert", ".x is ", "reactive."), 20, 3)));
    List<String> deltas = new CopyOnWriteArrayList<>();

    vertx.runOnContext(v -> provider.stream(question(), deltas::add).result()
      .onComplete(testContext.succeeding(result -> testContext.verify(() -> {
        assertThat(deltas).containsExactly("Vert", ".x is ", "reactive.");
        assertThat(result.text()).isEqualTo("Vert.x is reactive.");
        assertThat(result.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(result.usage()).isEqualTo(new TokenUsage(20, 3));
        JsonObject sent = upstream.last().body();
        assertThat(sent.getBoolean("stream")).isTrue();
        assertThat(sent.getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
        assertThat(upstream.last().headers().get("accept")).isEqualTo("text/event-stream");
        testContext.completeNow();
      }))));
  }

  @Test
  @DisplayName("SSE lines split across TCP writes, CRLF line ends and keep-alive comments still decode")
  void splitFrames() {
    upstream.answering((attempt, request, body) -> {
      var response = Wire.sse(request.response());
      String chunk = Wire.openAiChunk("Hello").replace("\n", "\r\n");
      response.write(": keep-alive\r\n\r\n");
      response.write(chunk.substring(0, 17));
      response.write(chunk.substring(17));
      response.write(Wire.openAiChunk(" world"));
      response.write(Wire.openAiFinish("length"));
      response.end(Wire.OPENAI_DONE);
    });

    ChatResult result = provider.stream(question(), delta -> { }).result().await();

    assertThat(result.text()).isEqualTo("Hello world");
    assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
  }

  @Test
  @DisplayName("An error body becomes an UpstreamException carrying status, type, code and message")
  void errorBody() {
    upstream.answering((attempt, request, body) -> Wire.json(request.response(), 400,
      Wire.openAiError("This model's maximum context length is 8192 tokens", "invalid_request_error",
        "context_length_exceeded")));

    Throwable failure = catchThrowable(() -> provider.complete(question()).await());

    assertThat(failure).isInstanceOfSatisfying(UpstreamException.class, e -> {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.type()).isEqualTo("invalid_request_error");
      assertThat(e.code()).isEqualTo("context_length_exceeded");
      assertThat(e.getMessage()).contains("maximum context length");
      assertThat(e.retryable()).isFalse();
    });
  }

  @Test
  @DisplayName("An in-stream error chunk fails the stream with the upstream's message")
  void inStreamError() {
    upstream.answering((attempt, request, body) -> Wire.sseAll(request.response(), List.of(
      Wire.openAiChunk("Par"),
      "data: " + Wire.openAiError("The server had an error", "server_error", null).encode() + "\n\n")));

    Throwable failure = catchThrowable(() -> provider.stream(question(), delta -> { }).result().await());

    assertThat(failure).isInstanceOf(UpstreamException.class).hasMessageContaining("The server had an error");
  }

  @Test
  @DisplayName("A stream that ends before [DONE] fails as truncated instead of returning partial text")
  void endsWithoutDone() {
    upstream.answering((attempt, request, body) -> Wire.sseAll(request.response(),
      List.of(Wire.openAiChunk("Half an"), Wire.openAiChunk(" answer"))));

    Throwable failure = catchThrowable(() -> provider.stream(question(), delta -> { }).result().await());

    assertThat(failure).isInstanceOf(TruncatedStreamException.class);
  }

  @Test
  @DisplayName("A connection closed mid-stream fails as truncated")
  void connectionClosedMidStream() {
    upstream.answering((attempt, request, body) -> {
      Wire.sse(request.response()).write(Wire.openAiChunk("Half"))
        .onComplete(written -> request.connection().close());
    });

    Throwable failure = catchThrowable(() -> provider.stream(question(), delta -> { }).result().await());

    assertThat(failure).isInstanceOf(TruncatedStreamException.class);
  }

  @Test
  @DisplayName("Cancelling a stream resets the upstream request and fails the result as cancelled")
  void cancellation(Vertx vertx, VertxTestContext testContext) {
    Checkpoint upstreamClosed = testContext.checkpoint();
    Checkpoint resultCancelled = testContext.checkpoint();
    upstream.answering((attempt, request, body) -> {
      request.response().closeHandler(v -> upstreamClosed.flag());
      // the first token, then silence: the caller cancels while the upstream is still generating
      Wire.sse(request.response()).write(Wire.openAiChunk("Thinking"));
    });

    vertx.runOnContext(v -> {
      ChatStream[] stream = new ChatStream[1];
      stream[0] = provider.stream(question(), delta -> stream[0].cancel());
      stream[0].result().onComplete(testContext.failing(failure -> testContext.verify(() -> {
        assertThat(failure).isInstanceOf(ChatCancelledException.class);
        resultCancelled.flag();
      })));
    });
  }

  @Test
  @DisplayName("An upstream that is not listening fails with a retryable connection error")
  void connectionRefused(Vertx vertx) {
    ChatProvider nowhere = Wire.openAi(vertx, Wire.config("down", "openai", "http://127.0.0.1:1"));

    Throwable failure = catchThrowable(() -> nowhere.complete(question()).await());

    assertThat(failure).isInstanceOfSatisfying(UpstreamException.class, e -> {
      assertThat(e.status()).isZero();
      assertThat(e.retryable()).isTrue();
    });
  }

  @Test
  @DisplayName("An upstream silent past the first-byte timeout fails with a first-byte timeout")
  void firstByteTimeout(Vertx vertx) {
    upstream.answering((attempt, request, body) -> { });
    ChatProvider slow = Wire.openAi(vertx, Wire.config("slow", "openai", upstream.baseUrl(),
      new JsonObject().put("firstByteTimeoutMs", 150)));

    Throwable failure = catchThrowable(() -> slow.complete(question()).await());

    assertThat(failure).isInstanceOfSatisfying(ProviderTimeoutException.class,
      e -> assertThat(e.phase()).isEqualTo(ProviderTimeoutException.Phase.FIRST_BYTE));
  }
}
