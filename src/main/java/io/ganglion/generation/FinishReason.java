package io.ganglion.generation;

/**
 * Why generation stopped, normalised across protocols. {@link #wireName()} is the OpenAI {@code finish_reason}
 * value, which Ganglion's own OpenAI-compatible endpoint answers with.
 */
public enum FinishReason {
  /** Natural end, or a stop sequence matched (OpenAI {@code stop}; Anthropic {@code end_turn}, {@code stop_sequence}). */
  STOP("stop"),
  /** The max-tokens limit cut the answer (OpenAI {@code length}; Anthropic {@code max_tokens}). */
  LENGTH("length"),
  /** The upstream's safety layer stopped it (OpenAI {@code content_filter}; Anthropic {@code refusal}). */
  CONTENT_FILTER("content_filter"),
  /** The model asked for a tool (OpenAI {@code tool_calls}; Anthropic {@code tool_use}). */
  TOOL_CALLS("tool_calls"),
  /** The upstream gave no reason, or one this version does not know. */
  UNKNOWN("stop");

  private final String wireName;

  FinishReason(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
