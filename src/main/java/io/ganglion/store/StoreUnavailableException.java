package io.ganglion.store;

import io.ganglion.bus.CodedFailure;
import io.ganglion.bus.ErrorCode;

/** A store (PostgreSQL, Redis) could not be reached or started; start fails with this message. */
public final class StoreUnavailableException extends RuntimeException implements CodedFailure {

  public StoreUnavailableException(String message) {
    super(message);
  }

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorCode errorCode() {
    return ErrorCode.UNAVAILABLE;
  }
}
