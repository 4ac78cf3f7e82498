package io.ganglion.generation;

import io.ganglion.bus.ErrorCode;

/** A provider deadline passed; {@link #phase()} says which. */
public final class ProviderTimeoutException extends ProviderException {

  /** Which deadline passed. */
  public enum Phase {
    /** No connection to the upstream within {@code connectTimeoutMs}. */
    CONNECT,
    /** The upstream stayed silent for {@code firstByteTimeoutMs}: before its response headers or between chunks. */
    FIRST_BYTE,
    /** The whole call, retries included, exceeded {@code timeoutMs}. */
    TOTAL
  }

  private final Phase phase;

  public ProviderTimeoutException(String provider, Phase phase, long timeoutMs, Throwable cause) {
    super(provider, phase.name().toLowerCase(java.util.Locale.ROOT) + " timeout after " + timeoutMs + " ms", cause);
    this.phase = phase;
  }

  public Phase phase() {
    return phase;
  }

  /** Connect and first-byte timeouts are worth another attempt; an exhausted total budget is not. */
  @Override
  public boolean retryable() {
    return phase != Phase.TOTAL;
  }

  @Override
  public ErrorCode errorCode() {
    return ErrorCode.TIMEOUT;
  }
}
