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

/**
 * The OpenAI Chat Completions wire format ({@code POST /chat/completions}), as OpenAI, vLLM, Ollama, llama.cpp
 * server, TGI, LM Studio, Groq and Together speak it.
 */
public final class OpenAiWire implements ChatWire {

  @Override
  public String path() {
    return "/chat/completions";
  }

  @Override
  public void putHeaders(RequestOptions options, String apiKey) {
    if (apiKey != null) {
      options.putHeader("authorization", "Bearer " + apiKey);
    }
  }

  @Override
  public boolean supportsResponseFormat() {
    return true;
  }

  @Override
  public JsonObject requestBody(ChatRequest request, LlmProviderConfig config, boolean stream) {
    JsonArray messages = new JsonArray();
    if (request.system() != null) {
      messages.add(new ChatMessage(ChatMessage.Role.SYSTEM, request.system()).toJson());
    }
    request.messages().forEach(m -> messages.add(message(m)));
    String model = request.model() != null ? request.model() : config.model();
    JsonObject body = new JsonObject()
      .put("model", model)
      .put("messages", messages)
      .put(maxTokensField(model), request.maxTokens() > 0 ? request.maxTokens() : config.defaultMaxTokens());
    if (request.temperature() != null) {
      body.put("temperature", request.temperature());
    }
    if (!request.stop().isEmpty()) {
      body.put("stop", new JsonArray(request.stop()));
    }
    if (request.seed() != null) {
      body.put("seed", request.seed());
    }
    if (request.topP() != null) {
      body.put("top_p", request.topP());
    }
    if (request.responseFormat() != null) {
      body.put("response_format", request.responseFormat().copy());
    }
    if (request.user() != null) {
      body.put("user", request.user());
    }
    if (!request.tools().isEmpty()) {
      JsonArray tools = new JsonArray();
      for (ToolDefinition tool : request.tools()) {
        tools.add(new JsonObject().put("type", "function").put("function", new JsonObject()
          .put("name", tool.name()).put("description", tool.description()).put("parameters", tool.parameters())));
      }
      body.put("tools", tools);
    }
    if (stream) {
      body.put("stream", true).put("stream_options", new JsonObject().put("include_usage", true));
    }
    return body;
  }

  /**
   * One message as Chat Completions has it: an assistant turn's calls as {@code tool_calls} (its content
   * {@code null} when it said nothing), a tool result as {@code {"role":"tool","tool_call_id","content"}}.
   */
  static JsonObject message(ChatMessage m) {
    JsonObject json = new JsonObject().put("role", m.role().wireName());
    if (m.role() == ChatMessage.Role.TOOL) {
      return json.put("tool_call_id", m.toolCallId()).put("content", m.content());
    }
    if (m.toolCalls().isEmpty()) {
      return json.put("content", m.content());
    }
    JsonArray calls = new JsonArray();
    for (ToolCall call : m.toolCalls()) {
      calls.add(new JsonObject().put("id", call.id()).put("type", "function")
        .put("function", new JsonObject().put("name", call.name()).put("arguments", call.arguments())));
    }
    return json.put("content", m.content().isEmpty() ? null : m.content()).put("tool_calls", calls);
  }

  /** The {@code tool_calls} of a non-streamed {@code message}, in order. */
  static List<ToolCall> toolCalls(JsonArray wire) {
    List<ToolCall> calls = new ArrayList<>();
    if (wire == null) {
      return calls;
    }
    for (int i = 0; i < wire.size(); i++) {
      JsonObject call = wire.getJsonObject(i);
      JsonObject function = call.getJsonObject("function", new JsonObject());
      calls.add(new ToolCall(call.getString("id", "call_" + i), function.getString("name"),
        function.getString("arguments")));
    }
    return calls;
  }

  /**
   * OpenAI's reasoning models (o1, o3, o4-mini, ...) and the GPT-5 family refuse {@code max_tokens} and take
   * {@code max_completion_tokens}; older models and other OpenAI-compatible servers (vLLM, Ollama, llama.cpp)
   * know only {@code max_tokens}.
   */
  static String maxTokensField(String model) {
    String name = model == null ? "" : model.toLowerCase(java.util.Locale.ROOT);
    name = name.substring(name.lastIndexOf('/') + 1);
    return name.matches("(o\\d.*|gpt-5.*)") ? "max_completion_tokens" : "max_tokens";
  }

  @Override
  public ChatResult decodeResponse(String provider, JsonObject body) {
    JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
    JsonObject message = choice.getJsonObject("message");
    String text = message.getString("content");
    return new ChatResult(
      text == null ? "" : text,
      finishReason(choice.getString("finish_reason")),
      usage(body.getJsonObject("usage")),
      body.getString("model"),
      provider,
      toolCalls(message.getJsonArray("tool_calls")));
  }

  @Override
  public StreamDecoder streamDecoder(String provider) {
    return new OpenAiStreamDecoder(provider);
  }

  @Override
  public UpstreamException decodeError(String provider, int status, Buffer body, Duration retryAfter) {
    JsonObject error = errorObject(body);
    if (error == null) {
      String text = body.length() == 0 ? "(empty body)" : abbreviate(body.toString());
      return new UpstreamException(provider, status, null, null, text, retryAfter, null);
    }
    return new UpstreamException(provider, status, error.getString("type"), stringOf(error.getValue("code")),
      error.getString("message", "(no message)"), retryAfter, null);
  }

  static FinishReason finishReason(String wire) {
    if (wire == null) {
      return FinishReason.UNKNOWN;
    }
    return switch (wire) {
      case "stop", "eos", "stop_sequence" -> FinishReason.STOP;
      case "length" -> FinishReason.LENGTH;
      case "content_filter" -> FinishReason.CONTENT_FILTER;
      case "tool_calls", "function_call" -> FinishReason.TOOL_CALLS;
      default -> FinishReason.UNKNOWN;
    };
  }

  static TokenUsage usage(JsonObject usage) {
    if (usage == null) {
      return TokenUsage.NONE;
    }
    return new TokenUsage(usage.getInteger("prompt_tokens", 0), usage.getInteger("completion_tokens", 0));
  }

  /** The {@code error} object of an error body, or {@code null} when the body is not that shape. */
  static JsonObject errorObject(Buffer body) {
    try {
      Object error = body.toJsonObject().getValue("error");
      if (error instanceof JsonObject object) {
        return object;
      }
      // some servers (older Ollama, TGI) answer {"error":"message"}
      return error instanceof String message ? new JsonObject().put("message", message) : null;
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  static String stringOf(Object value) {
    return value == null ? null : value.toString();
  }

  static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "...";
  }
}
