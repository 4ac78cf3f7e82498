package io.ganglion.generation;

import io.ganglion.bus.ErrorCode;

/**
 * The provider's circuit breaker is open after repeated upstream failures; the call failed without contacting the
 * upstream. The breaker lets a trial call through after {@code breakerResetMs}.
 */
public final class ProviderUnavailableException extends ProviderException {

  public ProviderUnavailableException(String provider, Throwable cause) {
    super(provider, "circuit breaker open", cause);
  }

  @Override
  public ErrorCode errorCode() {
    return ErrorCode.UNAVAILABLE;
  }
}
