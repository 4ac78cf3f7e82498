package io.ganglion.inference.batch;

import io.ganglion.bus.CodedFailure;
import io.ganglion.bus.ErrorCode;

import java.util.concurrent.RejectedExecutionException;

/** The batcher is shutting down: the request was refused, or dropped before it ran. Callers answer UNAVAILABLE. */
public final class BatcherClosedException extends RejectedExecutionException implements CodedFailure {

  public BatcherClosedException(String model) {
    super("inference for " + model + " is shutting down");
  }

  @Override
  public ErrorCode errorCode() {
    return ErrorCode.UNAVAILABLE;
  }
}
