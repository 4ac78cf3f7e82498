package io.ganglion.generation;

import io.ganglion.bus.ErrorCode;

/**
 * The provider already has {@code maxConcurrency} calls in flight; this one was refused without contacting the
 * upstream. A fallback chain moves on to its next provider.
 */
public final class ProviderBusyException extends ProviderException {

  public ProviderBusyException(String provider, int maxConcurrency) {
    super(provider, "at its limit of " + maxConcurrency + " concurrent calls", null);
  }

  @Override
  public ErrorCode errorCode() {
    return ErrorCode.OVERLOADED;
  }
}
