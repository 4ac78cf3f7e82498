package io.ganglion.inference.batch;

import java.util.concurrent.RejectedExecutionException;

/** The batcher is shutting down: the request was refused, or dropped before it ran. Callers answer UNAVAILABLE. */
public final class BatcherClosedException extends RejectedExecutionException {

  public BatcherClosedException(String model) {
    super("inference for " + model + " is shutting down");
  }
}
