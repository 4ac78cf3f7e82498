package io.ganglion.generation;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** Real wire shapes of both protocols, for {@link FakeUpstream} scripts, and test provider configurations. */
final class Wire {

  static final String OPENAI_DONE = "data: [DONE]\n\n";

  private Wire() {
  }

  /**
   * A provider configuration with fast retries; {@code overrides} replace any field. The deadlines are far longer
   * than a local exchange takes even on a loaded machine, so none fires unless a test sets it short on purpose
   * against an upstream that withholds its answer; a lost answer still fails the test instead of hanging it.
   */
  static LlmProviderConfig config(String name, String type, String baseUrl, JsonObject overrides) {
    JsonObject json = new JsonObject()
      .put("name", name).put("type", type).put("baseUrl", baseUrl).put("model", "test-model")
      .put("retryBaseDelayMs", 5).put("retryMaxDelayMs", 20)
      .put("connectTimeoutMs", 20_000).put("firstByteTimeoutMs", 30_000).put("timeoutMs", 45_000)
      .mergeIn(overrides);
    return LlmProviderConfig.from(json, "llm.providers[0]");
  }

  static LlmProviderConfig config(String name, String type, String baseUrl) {
    return config(name, type, baseUrl, new JsonObject());
  }

  static ChatProvider openAi(Vertx vertx, LlmProviderConfig config) {
    return new OpenAiCompatibleProvider(vertx.createHttpClient(), config, "sk-test");
  }

  // OpenAI chat completions

  static JsonObject openAiCompletion(String text, String finishReason, int promptTokens, int completionTokens) {
    return new JsonObject()
      .put("id", "chatcmpl-1").put("object", "chat.completion").put("created", 1700000000).put("model", "test-model-0613")
      .put("choices", new JsonArray().add(new JsonObject()
        .put("index", 0)
        .put("message", new JsonObject().put("role", "assistant").put("content", text))
        .put("finish_reason", finishReason)))
      .put("usage", new JsonObject().put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
        .put("total_tokens", promptTokens + completionTokens));
  }

  static String openAiChunk(String content) {
    return data(chunkBase().put("choices", new JsonArray().add(new JsonObject()
      .put("index", 0).put("delta", new JsonObject().put("content", content)).putNull("finish_reason"))));
  }

  static String openAiFinish(String reason) {
    return data(chunkBase().put("choices", new JsonArray().add(new JsonObject()
      .put("index", 0).put("delta", new JsonObject()).put("finish_reason", reason))));
  }

  static String openAiUsage(int promptTokens, int completionTokens) {
    return data(chunkBase().put("choices", new JsonArray()).put("usage", new JsonObject()
      .put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
      .put("total_tokens", promptTokens + completionTokens)));
  }

  /** A whole stream: a role chunk, one chunk per piece, the finish chunk, the usage chunk, {@code [DONE]}. */
  static List<String> openAiStream(List<String> pieces, int promptTokens, int completionTokens) {
    List<String> frames = new ArrayList<>();
    frames.add(data(chunkBase().put("choices", new JsonArray().add(new JsonObject()
      .put("index", 0).put("delta", new JsonObject().put("role", "assistant").put("content", "")).putNull("finish_reason")))));
    pieces.forEach(piece -> frames.add(openAiChunk(piece)));
    frames.add(openAiFinish("stop"));
    frames.add(openAiUsage(promptTokens, completionTokens));
    frames.add(OPENAI_DONE);
    return frames;
  }

  static JsonObject openAiError(String message, String type, String code) {
    return new JsonObject().put("error", new JsonObject()
      .put("message", message).put("type", type).putNull("param").put("code", code));
  }

  private static JsonObject chunkBase() {
    return new JsonObject().put("id", "chatcmpl-1").put("object", "chat.completion.chunk")
      .put("created", 1700000000).put("model", "test-model-0613");
  }

  private static String data(JsonObject json) {
    return "data: " + json.encode() + "\n\n";
  }

  // Anthropic messages

  static JsonObject anthropicMessage(String text, String stopReason, int inputTokens, int outputTokens) {
    return new JsonObject()
      .put("id", "msg_1").put("type", "message").put("role", "assistant").put("model", "claude-test-20250101")
      .put("content", new JsonArray().add(new JsonObject().put("type", "text").put("text", text)))
      .put("stop_reason", stopReason).putNull("stop_sequence")
      .put("usage", new JsonObject().put("input_tokens", inputTokens).put("output_tokens", outputTokens));
  }

  static String anthropicEvent(String type, JsonObject data) {
    return "event: " + type + "\ndata: " + data.put("type", type).encode() + "\n\n";
  }

  /** The documented event sequence, with a ping after the first block starts. */
  static List<String> anthropicStream(List<String> pieces, String stopReason, int inputTokens, int outputTokens) {
    List<String> frames = new ArrayList<>();
    frames.add(anthropicEvent("message_start", new JsonObject().put("message", new JsonObject()
      .put("id", "msg_1").put("type", "message").put("role", "assistant").put("model", "claude-test-20250101")
      .put("content", new JsonArray()).putNull("stop_reason").putNull("stop_sequence")
      .put("usage", new JsonObject().put("input_tokens", inputTokens).put("output_tokens", 1)))));
    frames.add(anthropicEvent("content_block_start", new JsonObject().put("index", 0)
      .put("content_block", new JsonObject().put("type", "text").put("text", ""))));
    frames.add(anthropicEvent("ping", new JsonObject()));
    pieces.forEach(piece -> frames.add(anthropicEvent("content_block_delta", new JsonObject().put("index", 0)
      .put("delta", new JsonObject().put("type", "text_delta").put("text", piece)))));
    frames.add(anthropicEvent("content_block_stop", new JsonObject().put("index", 0)));
    frames.add(anthropicEvent("message_delta", new JsonObject()
      .put("delta", new JsonObject().put("stop_reason", stopReason).putNull("stop_sequence"))
      .put("usage", new JsonObject().put("output_tokens", outputTokens))));
    frames.add(anthropicEvent("message_stop", new JsonObject()));
    return frames;
  }

  static JsonObject anthropicError(String type, String message) {
    return new JsonObject().put("type", "error")
      .put("error", new JsonObject().put("type", type).put("message", message));
  }

  // responses

  static void json(HttpServerResponse response, int status, JsonObject body) {
    response.setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  /** Starts a chunked {@code text/event-stream} response. */
  static HttpServerResponse sse(HttpServerResponse response) {
    return response.setChunked(true)
      .putHeader("content-type", "text/event-stream")
      .putHeader("cache-control", "no-cache");
  }

  /** Writes every frame and ends the response. */
  static void sseAll(HttpServerResponse response, List<String> frames) {
    sse(response);
    frames.forEach(response::write);
    response.end();
  }
}
