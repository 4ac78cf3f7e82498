package io.ganglion.generation;

/**
 * The upstream's stream ended (or its connection closed) before its end marker: {@code data: [DONE]} for
 * OpenAI-compatible servers, {@code message_stop} for Anthropic. The text received so far is incomplete, so the
 * call fails rather than returning it as an answer.
 */
public final class TruncatedStreamException extends UpstreamException {

  public TruncatedStreamException(String provider, String message, Throwable cause) {
    super(provider, 0, null, null, "stream truncated: " + message, null, cause);
  }
}
