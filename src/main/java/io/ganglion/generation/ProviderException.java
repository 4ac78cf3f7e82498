package io.ganglion.generation;

import io.ganglion.bus.CodedFailure;
import io.ganglion.bus.ErrorCode;

/**
 * Why a chat call failed. Subclasses say which way; {@link #errorCode()} is what the caller answers with and
 * {@link #retryable()} whether another attempt at the same upstream may succeed.
 */
public abstract class ProviderException extends RuntimeException implements CodedFailure {

  private final String provider;

  protected ProviderException(String provider, String message, Throwable cause) {
    super(provider + ": " + message, cause);
    this.provider = provider;
  }

  /** The configured name of the provider that failed. */
  public String provider() {
    return provider;
  }

  /** The bus failure code a request failing with this exception answers with. */
  @Override
  public abstract ErrorCode errorCode();

  /**
   * Whether the upstream may answer if asked again (overload, server error, lost connection). Retryable failures
   * also count against the provider's circuit breaker; a caller mistake or a cancellation does not.
   */
  public boolean retryable() {
    return false;
  }
}
