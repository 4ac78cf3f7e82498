package io.ganglion.generation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One turn of a conversation: text from the system, the user or the assistant, an assistant turn that asks for tool
 * calls, or the result of one tool call.
 *
 * @param role       who said it
 * @param content    what was said, plain text (may be empty for an assistant turn that only calls tools)
 * @param toolCalls  for {@link Role#ASSISTANT}: the calls it asked for, in order (empty otherwise)
 * @param toolCallId for {@link Role#TOOL}: the call this is the result of ({@code null} otherwise)
 * @param error      for {@link Role#TOOL}: whether the result reports a failure (Anthropic's {@code is_error})
 */
public record ChatMessage(Role role, String content, List<ToolCall> toolCalls, String toolCallId, boolean error) {

  /** The speaker of a turn; {@link #wireName()} is the lower-case name the OpenAI protocol uses. */
  public enum Role {
    SYSTEM, USER, ASSISTANT, TOOL;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The role for {@code system}, {@code user}, {@code assistant} or {@code tool}. */
    public static Role ofWireName(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }
  }

  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    if (role == Role.TOOL && toolCallId == null) {
      throw new IllegalArgumentException("a tool message needs the id of the call it answers");
    }
  }

  /** A plain text turn. */
  public ChatMessage(Role role, String content) {
    this(role, content, List.of(), null, false);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage(Role.USER, content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage(Role.ASSISTANT, content);
  }

  /** An assistant turn asking for {@code calls} (with whatever text came before them). */
  public static ChatMessage assistant(String content, List<ToolCall> calls) {
    return new ChatMessage(Role.ASSISTANT, content, calls, null, false);
  }

  /** The result of the call {@code callId}; {@code error} marks a failure the model should see as one. */
  public static ChatMessage toolResult(String callId, String content, boolean error) {
    return new ChatMessage(Role.TOOL, content, List.of(), callId, error);
  }

  /** {@code {"role","content"}}, with {@code toolCalls}, {@code toolCallId} and {@code error} when set. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("role", role.wireName()).put("content", content);
    if (!toolCalls.isEmpty()) {
      JsonArray calls = new JsonArray();
      toolCalls.forEach(c -> calls.add(c.toJson()));
      json.put("toolCalls", calls);
    }
    if (toolCallId != null) {
      json.put("toolCallId", toolCallId);
    }
    if (error) {
      json.put("error", true);
    }
    return json;
  }

  /** Reads {@link #toJson()}'s shape; an unknown role is an {@link IllegalArgumentException}. */
  public static ChatMessage fromJson(JsonObject json) {
    JsonArray calls = json.getJsonArray("toolCalls", new JsonArray());
    return new ChatMessage(Role.ofWireName(json.getString("role", "")), json.getString("content", ""),
      calls.stream().map(c -> ToolCall.fromJson((JsonObject) c)).toList(), json.getString("toolCallId"),
      json.getBoolean("error", false));
  }
}
