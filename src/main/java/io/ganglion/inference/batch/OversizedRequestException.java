package io.ganglion.inference.batch;

import io.ganglion.bus.CodedFailure;
import io.ganglion.bus.ErrorCode;

/**
 * A request holds more inputs than a model's whole queue: it could never be queued, however idle the server. Not
 * overload (retrying cannot help) but a request over a configured size ({@code inference.queueCapacity}): callers
 * answer {@link ErrorCode#PAYLOAD_TOO_LARGE}.
 */
public final class OversizedRequestException extends IllegalArgumentException implements CodedFailure {

  public OversizedRequestException(String model, int requested, int capacity) {
    super(requested + " inputs in one request exceed the queue capacity of " + capacity + " for " + model);
  }

  @Override
  public ErrorCode errorCode() {
    return ErrorCode.PAYLOAD_TOO_LARGE;
  }
}
