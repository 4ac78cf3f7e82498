package io.ganglion.inference.batch;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One submission's output rows, filled by whichever batches run its inputs, completed when the last row lands.
 * <p>
 * Thread-safety: each row is written once, by one worker, before that worker decrements {@code remaining}; the
 * worker that takes it to zero therefore sees every row (the atomic decrement orders the writes before it).
 */
final class CallerRows<O> {

  private final Object[] rows;
  private final AtomicInteger remaining;
  final CompletableFuture<List<O>> future = new CompletableFuture<>();

  CallerRows(int size) {
    this.rows = new Object[size];
    this.remaining = new AtomicInteger(size);
  }

  @SuppressWarnings("unchecked")
  void complete(int index, O row) {
    rows[index] = row;
    if (remaining.decrementAndGet() == 0) {
      future.complete((List<O>) Collections.unmodifiableList(Arrays.asList(rows)));
    }
  }

  void fail(Throwable failure) {
    future.completeExceptionally(failure);
  }

  /** Failed, or cancelled by the caller (a timeout): its remaining inputs need not run. */
  boolean abandoned() {
    return future.isDone();
  }
}
