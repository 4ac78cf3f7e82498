package io.ganglion.generation;

import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * A finished answer. For a stream it holds the whole text, the concatenation of every delta delivered.
 *
 * @param text         the generated text
 * @param finishReason why generation stopped
 * @param usage        tokens consumed
 * @param model        the model that answered, as the upstream named it
 * @param provider     the configured provider name that answered ({@code extractive} for the built-in generator)
 */
public record ChatResult(String text, FinishReason finishReason, TokenUsage usage, String model, String provider) {

  public ChatResult {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(finishReason, "finishReason");
    usage = usage == null ? TokenUsage.NONE : usage;
  }

  /** {@code {text, finishReason, usage:{prompt_tokens,completion_tokens,total_tokens}, model, provider}}. */
  public JsonObject toJson() {
    return new JsonObject()
      .put("text", text)
      .put("finishReason", finishReason.wireName())
      .put("usage", usage.toJson())
      .put("model", model)
      .put("provider", provider);
  }
}
