package io.ganglion.generation;

import io.vertx.core.json.JsonObject;

/**
 * Tokens a call consumed, as the upstream reported them; {@code 0} when it reported none.
 *
 * @param promptTokens     input tokens (OpenAI {@code prompt_tokens}, Anthropic {@code input_tokens})
 * @param completionTokens generated tokens (OpenAI {@code completion_tokens}, Anthropic {@code output_tokens})
 */
public record TokenUsage(int promptTokens, int completionTokens) {

  public static final TokenUsage NONE = new TokenUsage(0, 0);

  public int totalTokens() {
    return promptTokens + completionTokens;
  }

  /** {@code {"prompt_tokens","completion_tokens","total_tokens"}}, the OpenAI shape. */
  public JsonObject toJson() {
    return new JsonObject()
      .put("prompt_tokens", promptTokens)
      .put("completion_tokens", completionTokens)
      .put("total_tokens", totalTokens());
  }
}
