package io.ganglion.generation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

import java.util.Objects;

/**
 * A finished answer. For a stream it holds the whole text, the concatenation of every delta delivered.
 *
 * @param text         the generated text
 * @param finishReason why generation stopped
 * @param usage        tokens consumed
 * @param model        the model that answered, as the upstream named it
 * @param provider     the configured provider name that answered ({@code extractive} for the built-in generator)
 * @param toolCalls    the calls the model asked for, in order (complete: streamed argument fragments reassembled);
 *                     empty when it answered in text only
 */
public record ChatResult(String text, FinishReason finishReason, TokenUsage usage, String model, String provider,
                         List<ToolCall> toolCalls) {

  public ChatResult {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(finishReason, "finishReason");
    usage = usage == null ? TokenUsage.NONE : usage;
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
  }

  /** A text-only answer. */
  public ChatResult(String text, FinishReason finishReason, TokenUsage usage, String model, String provider) {
    this(text, finishReason, usage, model, provider, List.of());
  }

  /**
   * {@code {text, finishReason, usage:{prompt_tokens,completion_tokens,total_tokens}, model, provider,
   * toolCalls?:[{id,name,arguments}]}}.
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("text", text)
      .put("finishReason", finishReason.wireName())
      .put("usage", usage.toJson())
      .put("model", model)
      .put("provider", provider);
    if (!toolCalls.isEmpty()) {
      JsonArray calls = new JsonArray();
      toolCalls.forEach(c -> calls.add(c.toJson()));
      json.put("toolCalls", calls);
    }
    return json;
  }
}
