package io.ganglion.inference.batch;

import io.ganglion.bus.CodedFailure;
import io.ganglion.bus.ErrorCode;

import java.util.concurrent.RejectedExecutionException;

/**
 * A model's queue had no room for a request's inputs; nothing of the request was queued. The server is overloaded
 * for this model: callers answer {@code ErrorCode.OVERLOADED} (HTTP 503 with Retry-After).
 */
public final class QueueFullException extends RejectedExecutionException implements CodedFailure {

  public QueueFullException(String model, int requested, int capacity) {
    super("inference queue for " + model + " is full (capacity " + capacity + " inputs, request has " + requested
      + ")");
  }

  private QueueFullException(String message) {
    super(message);
  }

  /** The inputs already waiting would take longer than the caller can wait. */
  static QueueFullException behind(String model, int waiting, long waitMillis, long leftMillis) {
    return new QueueFullException("inference for " + model + " is overloaded: " + waiting + " inputs wait ahead (about "
      + waitMillis + " ms) and the request's deadline is in " + Math.max(0, leftMillis) + " ms");
  }

  @Override
  public ErrorCode errorCode() {
    return ErrorCode.OVERLOADED;
  }
}
