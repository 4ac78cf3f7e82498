package io.ganglion.inference.batch;

import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One submission's output rows, filled by whichever batches run its inputs, completed when the last row lands.
 * <p>
 * <b>NOTE</b>: not thread-safe; written only on the inference verticle's event loop, where batch results arrive.
 */
final class CallerRows<O> {

  private final Object[] rows;
  private int remaining;
  private final Promise<List<O>> promise = Promise.promise();
  /** The request's span when it was submitted (invalid when untraced): the batches that serve it link to it. */
  final SpanContext span;

  /** When the request was submitted, before its inputs were tokenized ({@link System#nanoTime()}). */
  final long submittedNanos;

  CallerRows(int size, SpanContext span) {
    this(size, span, System.nanoTime());
  }

  CallerRows(int size, SpanContext span, long submittedNanos) {
    this.rows = new Object[size];
    this.remaining = size;
    this.span = span;
    this.submittedNanos = submittedNanos;
  }

  Future<List<O>> future() {
    return promise.future();
  }

  @SuppressWarnings("unchecked")
  void complete(int index, O row) {
    rows[index] = row;
    if (--remaining == 0) {
      promise.tryComplete((List<O>) Collections.unmodifiableList(Arrays.asList(rows)));
    }
  }

  void fail(Throwable failure) {
    promise.tryFail(failure);
  }

  /** Failed (an expired deadline, another of its inputs failed, shutting down): its remaining inputs need not run. */
  boolean abandoned() {
    return promise.future().isComplete();
  }
}
