package io.ganglion.generation;

import io.vertx.core.Future;

/**
 * A call in flight: its outcome and a way to abandon it.
 * <p>
 * <b>NOTE</b>: {@link #cancel()} may be called from any thread; the result still completes on the caller's
 * context.
 */
public interface ChatStream {

  /**
   * Completes with the whole answer once the upstream finished (for a stream: after {@code [DONE]} or
   * {@code message_stop}), or fails with a {@link ProviderException}.
   */
  Future<ChatResult> result();

  /**
   * Abandons the call: the upstream HTTP request is reset, no further delta is delivered and {@link #result()}
   * fails with {@link ChatCancelledException}. Does nothing once the result is complete.
   */
  void cancel();

  /** A call that cannot be cancelled, e.g. a generator that answers in-process. */
  static ChatStream of(Future<ChatResult> result) {
    return new ChatStream() {
      @Override
      public Future<ChatResult> result() {
        return result;
      }

      @Override
      public void cancel() {
        // nothing to abandon: the answer is computed in-process
      }
    };
  }

  /** A call that has already failed, e.g. rejected before reaching the upstream. */
  static ChatStream failed(Throwable failure) {
    return of(Future.failedFuture(failure));
  }
}
