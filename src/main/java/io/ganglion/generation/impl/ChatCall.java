package io.ganglion.generation.impl;

import io.ganglion.generation.ChatCancelledException;
import io.ganglion.generation.ChatResult;
import io.ganglion.generation.ChatStream;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link ChatStream} every provider hands out: a promise for the result, a gate in front of the caller's delta
 * handler, and the action that abandons whatever is in flight right now (an HTTP request, or the current attempt
 * of a retry loop or fallback chain, which replaces it as it moves on).
 * <p>
 * <b>NOTE</b>: {@link #cancel()} may come from any thread. It flips a volatile flag at once, so the gate drops
 * deltas immediately, and completes the promise on the context that created the call, so the caller's callbacks
 * never run on a foreign event loop.
 */
public final class ChatCall implements ChatStream {

  private final String provider;
  private final Context context;
  private final Promise<ChatResult> promise = Promise.promise();
  private final AtomicReference<Runnable> abandon = new AtomicReference<>();
  private volatile boolean cancelled;
  private volatile boolean delivered;

  public ChatCall(String provider) {
    this.provider = provider;
    this.context = Vertx.currentContext();
  }

  @Override
  public Future<ChatResult> result() {
    return promise.future();
  }

  @Override
  public void cancel() {
    if (cancelled || promise.future().isComplete()) {
      return;
    }
    cancelled = true;
    onContext(() -> {
      promise.tryFail(new ChatCancelledException(provider));
      Runnable action = abandon.get();
      if (action != null) {
        action.run();
      }
    });
  }

  /**
   * Fails the call with {@code failure} and abandons what is in flight, e.g. when the total budget is spent. Call on
   * the call's context.
   */
  public void abort(Throwable failure) {
    if (promise.tryFail(failure)) {
      Runnable action = abandon.get();
      if (action != null) {
        action.run();
      }
    }
  }

  /** Sets what {@link #cancel()} abandons; runs it at once when the call was already cancelled. */
  public void onCancel(Runnable action) {
    abandon.set(action);
    if (cancelled) {
      action.run();
    }
  }

  public boolean cancelled() {
    return cancelled;
  }

  /** Whether the result is complete (succeeded, failed or cancelled). */
  public boolean done() {
    return promise.future().isComplete();
  }

  /** Whether at least one delta reached the caller; a retry or fallback is then no longer possible. */
  public boolean delivered() {
    return delivered;
  }

  /** The caller's handler behind the gate: nothing passes once the call is cancelled or complete. */
  public Handler<String> gate(Handler<String> downstream) {
    return delta -> {
      if (cancelled || promise.future().isComplete() || delta == null || delta.isEmpty()) {
        return;
      }
      delivered = true;
      downstream.handle(delta);
    };
  }

  /** Completes the call with {@code outcome} unless it is already complete. */
  public void settle(AsyncResult<ChatResult> outcome) {
    if (outcome.succeeded()) {
      promise.tryComplete(outcome.result());
    } else {
      promise.tryFail(outcome.cause());
    }
  }

  private void onContext(Runnable action) {
    if (context == null || Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }
}
