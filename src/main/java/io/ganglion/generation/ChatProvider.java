package io.ganglion.generation;

import io.vertx.core.Future;
import io.vertx.core.Handler;

/**
 * Something that answers a {@link ChatRequest}: an upstream LLM API, a resilient wrapper around one, a fallback
 * chain, or the built-in extractive generator. Only {@link #stream} is abstract, so an in-process generator can be
 * a lambda: {@code (request, onDelta) -> ChatStream.of(answer(request, onDelta))}.
 * <p>
 * <b>NOTE</b>: implementations never block; handlers and futures run on the caller's context (call from an event
 * loop or a virtual-thread verticle). Failures are {@link ProviderException}s: {@link ProviderBusyException},
 * {@link ProviderUnavailableException}, {@link ProviderTimeoutException}, {@link UpstreamException} (and its
 * {@link TruncatedStreamException}), {@link ChatCancelledException}; each names its {@code ErrorCode}.
 */
@FunctionalInterface
public interface ChatProvider {

  /**
   * Starts a streamed answer.
   *
   * @param request what to ask
   * @param onDelta receives each text fragment in order, as the upstream produces it; never after the result
   *                completed or the call was cancelled
   * @return the call: its result holds the whole text, finish reason and usage
   */
  ChatStream stream(ChatRequest request, Handler<String> onDelta);

  /**
   * Starts an answer delivered in one piece (a non-streaming upstream request where the protocol has one).
   * The default streams and discards the deltas.
   */
  default ChatStream completion(ChatRequest request) {
    return stream(request, delta -> { });
  }

  /** {@link #completion(ChatRequest)} for callers that never cancel. */
  default Future<ChatResult> complete(ChatRequest request) {
    return completion(request).result();
  }

  /**
   * Whether it passes a {@link ChatRequest#responseFormat()} asking for JSON to a model that honours it (OpenAI-compatible
   * upstreams); the others are never sent one (callers refuse the request first).
   */
  default boolean supportsResponseFormat() {
    return false;
  }

  /**
   * The provider's configured name, used in logs and metrics; a lambda is called {@code generator}, any other class
   * by its simple name unless it overrides this.
   */
  default String name() {
    return getClass().isHidden() ? "generator" : getClass().getSimpleName();
  }
}
