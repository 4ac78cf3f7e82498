package io.ganglion.store;

/** A store (PostgreSQL, Redis) could not be reached or started; start fails with this message. */
public final class StoreUnavailableException extends RuntimeException {

  public StoreUnavailableException(String message) {
    super(message);
  }

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
