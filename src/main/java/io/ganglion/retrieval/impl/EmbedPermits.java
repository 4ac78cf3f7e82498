package io.ganglion.retrieval.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * How many bulk embedding requests ingestion keeps in flight on this node, across all its jobs: the rest wait here,
 * in order, and start as earlier ones finish. This is the backpressure from the model's bulk lane back to the jobs:
 * a job's next slice is not read before its current one is embedded, so memory stays bounded by the slices in
 * progress, and the lane is never asked for more than it holds.
 * <p>
 * <b>NOTE</b>: not thread-safe; call from the retrieval verticle's event loop only.
 */
public final class EmbedPermits {

  private final int permits;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int inFlight;

  /** @param permits requests in flight at once; at least 1 */
  public EmbedPermits(int permits) {
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be at least 1, got " + permits);
    }
    this.permits = permits;
  }

  /** Runs {@code work} once a permit is free, and frees it when {@code work}'s future completes. */
  public <T> Future<T> run(Supplier<Future<T>> work) {
    Promise<T> result = Promise.promise();
    Runnable start = () -> {
      inFlight++;
      Future<T> running;
      try {
        running = work.get();
      } catch (RuntimeException e) {
        running = Future.failedFuture(e);
      }
      running.onComplete(done -> {
        inFlight--;
        Runnable next = waiting.poll();
        if (next != null) {
          next.run();
        }
        result.handle(done);
      });
    };
    if (inFlight < permits) {
      start.run();
    } else {
      waiting.add(start);
    }
    return result.future();
  }

  /** Requests waiting for a permit. */
  public int waiting() {
    return waiting.size();
  }
}
