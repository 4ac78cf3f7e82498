package io.ganglion.generation.impl;

import io.ganglion.generation.LlmProviderConfig;
import io.ganglion.generation.ChatMessage;
import io.ganglion.generation.ChatRequest;
import io.ganglion.generation.ChatResult;
import io.ganglion.generation.FinishReason;
import io.ganglion.generation.TokenUsage;
import io.ganglion.generation.ToolCall;
import io.ganglion.generation.ToolDefinition;
import io.ganglion.generation.UpstreamException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Anthropic's Messages API wire format ({@code POST /v1/messages}, {@code anthropic-version: 2023-06-01}). */
public final class AnthropicWire implements ChatWire {

  public static final String API_VERSION = "2023-06-01";

  @Override
  public String path() {
    return "/v1/messages";
  }

  @Override
  public void putHeaders(RequestOptions options, String apiKey) {
    options.putHeader("anthropic-version", API_VERSION);
    if (apiKey != null) {
      options.putHeader("x-api-key", apiKey);
    }
  }

  @Override
  public JsonObject requestBody(ChatRequest request, LlmProviderConfig config, boolean stream) {
    // the Messages API has no system role: system turns join the top-level system prompt
    List<String> system = new ArrayList<>();
    if (request.system() != null) {
      system.add(request.system());
    }
    JsonArray messages = new JsonArray();
    for (ChatMessage message : request.messages()) {
      if (message.role() == ChatMessage.Role.SYSTEM) {
        system.add(message.content());
      } else {
        append(messages, message);
      }
    }
    JsonObject body = new JsonObject()
      .put("model", request.model() != null ? request.model() : config.model())
      .put("max_tokens", request.maxTokens() > 0 ? request.maxTokens() : config.defaultMaxTokens())
      .put("messages", messages);
    if (!system.isEmpty()) {
      body.put("system", String.join("\n\n", system));
    }
    if (request.temperature() != null) {
      body.put("temperature", request.temperature());
    }
    if (!request.stop().isEmpty()) {
      body.put("stop_sequences", new JsonArray(request.stop()));
    }
    if (request.topP() != null) {
      body.put("top_p", request.topP());
    }
    if (request.user() != null) {
      body.put("metadata", new JsonObject().put("user_id", request.user())); // the Messages API has no seed
    }
    if (!request.tools().isEmpty()) {
      JsonArray tools = new JsonArray();
      for (ToolDefinition tool : request.tools()) {
        tools.add(new JsonObject().put("name", tool.name()).put("description", tool.description())
          .put("input_schema", tool.parameters()));
      }
      body.put("tools", tools);
    }
    if (stream) {
      body.put("stream", true);
    }
    return body;
  }

  /**
   * Adds one message in the Messages API's shape. An assistant turn with calls becomes content blocks (its text,
   * then a {@code tool_use} block per call, {@code input} the parsed arguments); a tool result becomes a
   * {@code tool_result} block in a user turn, and consecutive results share one user turn, as the API requires.
   */
  static void append(JsonArray messages, ChatMessage message) {
    if (message.role() == ChatMessage.Role.TOOL) {
      JsonObject block = new JsonObject().put("type", "tool_result").put("tool_use_id", message.toolCallId())
        .put("content", message.content());
      if (message.error()) {
        block.put("is_error", true);
      }
      JsonObject last = messages.isEmpty() ? null : messages.getJsonObject(messages.size() - 1);
      if (last != null && "user".equals(last.getString("role")) && last.getValue("content") instanceof JsonArray blocks
        && !blocks.isEmpty() && "tool_result".equals(blocks.getJsonObject(0).getString("type"))) {
        blocks.add(block);
      } else {
        messages.add(new JsonObject().put("role", "user").put("content", new JsonArray().add(block)));
      }
      return;
    }
    if (message.toolCalls().isEmpty()) {
      messages.add(new JsonObject().put("role", message.role().wireName()).put("content", message.content()));
      return;
    }
    JsonArray blocks = new JsonArray();
    if (!message.content().isEmpty()) {
      blocks.add(new JsonObject().put("type", "text").put("text", message.content()));
    }
    for (ToolCall call : message.toolCalls()) {
      JsonObject input = call.argumentsObject();
      blocks.add(new JsonObject().put("type", "tool_use").put("id", call.id()).put("name", call.name())
        .put("input", input == null ? new JsonObject() : input));
    }
    messages.add(new JsonObject().put("role", "assistant").put("content", blocks));
  }

  @Override
  public ChatResult decodeResponse(String provider, JsonObject body) {
    StringBuilder text = new StringBuilder();
    List<ToolCall> calls = new ArrayList<>();
    JsonArray content = body.getJsonArray("content");
    for (int i = 0; i < content.size(); i++) {
      JsonObject block = content.getJsonObject(i);
      if ("text".equals(block.getString("type"))) {
        text.append(block.getString("text", ""));
      } else if ("tool_use".equals(block.getString("type"))) {
        JsonObject input = block.getJsonObject("input", new JsonObject());
        calls.add(new ToolCall(block.getString("id", "toolu_" + i), block.getString("name"), input.encode()));
      }
    }
    JsonObject usage = body.getJsonObject("usage", new JsonObject());
    return new ChatResult(text.toString(), finishReason(body.getString("stop_reason")),
      new TokenUsage(usage.getInteger("input_tokens", 0), usage.getInteger("output_tokens", 0)),
      body.getString("model"), provider, calls);
  }

  @Override
  public StreamDecoder streamDecoder(String provider) {
    return new AnthropicStreamDecoder(provider);
  }

  @Override
  public UpstreamException decodeError(String provider, int status, Buffer body, Duration retryAfter) {
    JsonObject error = OpenAiWire.errorObject(body);
    if (error == null) {
      String text = body.length() == 0 ? "(empty body)" : OpenAiWire.abbreviate(body.toString());
      return new UpstreamException(provider, status, null, null, text, retryAfter, null);
    }
    return new UpstreamException(provider, status, error.getString("type"), null,
      error.getString("message", "(no message)"), retryAfter, null);
  }

  static FinishReason finishReason(String stopReason) {
    if (stopReason == null) {
      return FinishReason.UNKNOWN;
    }
    return switch (stopReason) {
      case "end_turn", "stop_sequence", "pause_turn" -> FinishReason.STOP;
      case "max_tokens", "model_context_window_exceeded" -> FinishReason.LENGTH;
      case "refusal" -> FinishReason.CONTENT_FILTER;
      case "tool_use" -> FinishReason.TOOL_CALLS;
      default -> FinishReason.UNKNOWN;
    };
  }

  /** The HTTP status Anthropic documents for an error type, for errors that arrive inside a 200 stream. */
  static int statusOf(String errorType) {
    if (errorType == null) {
      return 500;
    }
    return switch (errorType) {
      case "invalid_request_error" -> 400;
      case "authentication_error" -> 401;
      case "permission_error" -> 403;
      case "not_found_error" -> 404;
      case "request_too_large" -> 413;
      case "rate_limit_error" -> 429;
      case "overloaded_error" -> 529;
      default -> 500;
    };
  }
}
