package io.ganglion.generation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Objects;

/**
 * What to ask a provider. Immutable; safe to share and to retry.
 *
 * @param system      system prompt, or {@code null}; Anthropic receives it as the top-level {@code system} field,
 *                    OpenAI-compatible servers as a leading {@code system} message
 * @param messages    the conversation, oldest first; never empty
 * @param maxTokens   upper bound on generated tokens; {@code 0} means the provider's configured default
 * @param temperature sampling temperature, or {@code null} for the upstream's default
 * @param stop        stop sequences (may be empty)
 * @param model       model override, or {@code null} for the provider's configured model
 * @param tools       functions the model may call (empty: none offered); its answer then may carry
 *                    {@link ChatResult#toolCalls()} instead of, or besides, text
 * @param seed        sampling seed for providers that take one (OpenAI-compatible {@code seed}), or {@code null}
 * @param user        the end user the request is made for ({@code user} for OpenAI-compatible servers, Anthropic's
 *                    {@code metadata.user_id}), or {@code null}
 * @param topP        nucleus sampling ({@code top_p} for both protocols), or {@code null} for the upstream's default
 * @param responseFormat OpenAI's {@code response_format} ({@link ResponseFormat}), passed as it is to providers that
 *                    {@linkplain ChatProvider#supportsResponseFormat() take it}, or {@code null}
 */
public record ChatRequest(
  String system, List<ChatMessage> messages, int maxTokens, Double temperature, List<String> stop, String model,
  List<ToolDefinition> tools, Long seed, String user, Double topP, JsonObject responseFormat) {

  public ChatRequest {
    messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a chat request needs at least one message");
    }
    if (maxTokens < 0) {
      throw new IllegalArgumentException("maxTokens must be >= 0, got " + maxTokens);
    }
    stop = stop == null ? List.of() : List.copyOf(stop);
    tools = tools == null ? List.of() : List.copyOf(tools);
  }

  /** A request without top_p or a response format. */
  public ChatRequest(String system, List<ChatMessage> messages, int maxTokens, Double temperature, List<String> stop,
                     String model, List<ToolDefinition> tools, Long seed, String user) {
    this(system, messages, maxTokens, temperature, stop, model, tools, seed, user, null, null);
  }

  /** A request without a seed or an end user. */
  public ChatRequest(String system, List<ChatMessage> messages, int maxTokens, Double temperature, List<String> stop,
                     String model, List<ToolDefinition> tools) {
    this(system, messages, maxTokens, temperature, stop, model, tools, null, null, null, null);
  }

  /** A request offering no tools. */
  public ChatRequest(String system, List<ChatMessage> messages, int maxTokens, Double temperature, List<String> stop,
                     String model) {
    this(system, messages, maxTokens, temperature, stop, model, List.of(), null, null, null, null);
  }

  /** A single question under a system prompt, with the provider's defaults for everything else. */
  public static ChatRequest of(String system, String question) {
    return new ChatRequest(system, List.of(ChatMessage.user(question)), 0, null, List.of(), null);
  }

  public ChatRequest withMaxTokens(int maxTokens) {
    return new ChatRequest(system, messages, maxTokens, temperature, stop, model, tools, seed, user, topP, responseFormat);
  }

  public ChatRequest withTemperature(Double temperature) {
    return new ChatRequest(system, messages, maxTokens, temperature, stop, model, tools, seed, user, topP, responseFormat);
  }

  public ChatRequest withStop(List<String> stop) {
    return new ChatRequest(system, messages, maxTokens, temperature, stop, model, tools, seed, user, topP, responseFormat);
  }

  public ChatRequest withTools(List<ToolDefinition> tools) {
    return new ChatRequest(system, messages, maxTokens, temperature, stop, model, tools, seed, user, topP, responseFormat);
  }

  public ChatRequest withSeed(Long seed) {
    return new ChatRequest(system, messages, maxTokens, temperature, stop, model, tools, seed, user, topP, responseFormat);
  }

  public ChatRequest withUser(String user) {
    return new ChatRequest(system, messages, maxTokens, temperature, stop, model, tools, seed, user, topP, responseFormat);
  }

  public ChatRequest withTopP(Double topP) {
    return new ChatRequest(system, messages, maxTokens, temperature, stop, model, tools, seed, user, topP, responseFormat);
  }

  public ChatRequest withResponseFormat(JsonObject responseFormat) {
    return new ChatRequest(system, messages, maxTokens, temperature, stop, model, tools, seed, user, topP, responseFormat);
  }

  public ChatRequest withMessages(List<ChatMessage> messages) {
    return new ChatRequest(system, messages, maxTokens, temperature, stop, model, tools, seed, user, topP, responseFormat);
  }

  /**
   * The event-bus shape: {@code {system?, messages:[{role,content,toolCalls?,toolCallId?}], maxTokens?, temperature?,
   * stop?, model?, tools?:[{name,description,parameters}], seed?, user?, topP?, responseFormat?}}.
   */
  public JsonObject toJson() {
    JsonArray wireMessages = new JsonArray();
    messages.forEach(m -> wireMessages.add(m.toJson()));
    JsonObject json = new JsonObject().put("messages", wireMessages);
    if (system != null) {
      json.put("system", system);
    }
    if (maxTokens > 0) {
      json.put("maxTokens", maxTokens);
    }
    if (temperature != null) {
      json.put("temperature", temperature);
    }
    if (!stop.isEmpty()) {
      json.put("stop", new JsonArray(List.copyOf(stop)));
    }
    if (model != null) {
      json.put("model", model);
    }
    if (!tools.isEmpty()) {
      JsonArray wireTools = new JsonArray();
      tools.forEach(t -> wireTools.add(t.toJson()));
      json.put("tools", wireTools);
    }
    if (seed != null) {
      json.put("seed", seed);
    }
    if (user != null) {
      json.put("user", user);
    }
    if (topP != null) {
      json.put("topP", topP);
    }
    if (responseFormat != null) {
      json.put("responseFormat", responseFormat.copy());
    }
    return json;
  }

  /**
   * Reads {@link #toJson()}'s shape.
   *
   * @throws IllegalArgumentException or {@link ClassCastException} on a malformed body; callers answer 400
   */
  public static ChatRequest fromJson(JsonObject json) {
    JsonArray wireMessages = json.getJsonArray("messages", new JsonArray());
    List<ChatMessage> messages = wireMessages.stream().map(m -> ChatMessage.fromJson((JsonObject) m)).toList();
    JsonArray stop = json.getJsonArray("stop", new JsonArray());
    Number temperature = json.getNumber("temperature");
    JsonArray tools = json.getJsonArray("tools", new JsonArray());
    Number seed = json.getNumber("seed");
    Number topP = json.getNumber("topP");
    return new ChatRequest(
      json.getString("system"),
      messages,
      json.getInteger("maxTokens", 0),
      temperature == null ? null : temperature.doubleValue(),
      stop.stream().map(String.class::cast).toList(),
      json.getString("model"),
      tools.stream().map(t -> ToolDefinition.fromJson((JsonObject) t)).toList(),
      seed == null ? null : seed.longValue(),
      json.getString("user"),
      topP == null ? null : topP.doubleValue(),
      ResponseFormat.validated(json.getValue("responseFormat")));
  }
}
