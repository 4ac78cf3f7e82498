package io.ganglion.generation.impl;

import io.ganglion.generation.ChatResult;
import io.vertx.core.Handler;

/**
 * Accumulates one provider's stream events into deltas and a final {@link ChatResult}. One instance per call.
 */
public interface StreamDecoder {

  /**
   * Handles one event, handing any text fragment to {@code deltas}.
   *
   * @throws io.ganglion.generation.UpstreamException for an in-stream error event or a malformed event
   */
  void accept(SseEvent event, Handler<String> deltas);

  /** Whether the protocol's end marker arrived ({@code [DONE]}, {@code message_stop}). */
  boolean finished();

  /** The whole answer; meaningful once {@link #finished()}. */
  ChatResult result();
}
