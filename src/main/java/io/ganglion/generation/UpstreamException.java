package io.ganglion.generation;

import io.ganglion.bus.ErrorCode;

import java.time.Duration;
import java.util.Optional;

/**
 * The upstream answered with an error, or the connection to it failed.
 * <p>
 * Error bodies are read in each protocol's shape: OpenAI {@code {"error":{"message","type","code"}}}, Anthropic
 * {@code {"type":"error","error":{"type","message"}}}.
 */
public class UpstreamException extends ProviderException {

  private final int status;
  private final String type;
  private final String code;
  private final Duration retryAfter;

  /**
   * @param status     HTTP status, or {@code 0} when no response was received (connection refused, reset, closed)
   * @param type       the error body's {@code type}, or {@code null}
   * @param code       the error body's {@code code}, or {@code null}
   * @param retryAfter the upstream's {@code Retry-After}, or {@code null}
   */
  public UpstreamException(
    String provider, int status, String type, String code, String message, Duration retryAfter, Throwable cause) {
    super(provider, (status == 0 ? "" : "HTTP " + status + " ") + message, cause);
    this.status = status;
    this.type = type;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  /** A failure to reach the upstream or a connection lost mid-response. */
  public static UpstreamException connection(String provider, Throwable cause) {
    return new UpstreamException(provider, 0, null, null, "connection failed: " + cause.getMessage(), null, cause);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String code() {
    return code;
  }

  /** How long the upstream asked us to wait before retrying ({@code Retry-After} or {@code retry-after-ms}). */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** 429, 5xx (Anthropic's 529 included) and connection failures. */
  @Override
  public boolean retryable() {
    return status == 0 || status == 429 || status >= 500;
  }

  /** Upstream 400/413/422 (the request itself was refused) map to 422; 429 to 503 overloaded; the rest to 503. */
  @Override
  public ErrorCode errorCode() {
    return switch (status) {
      case 400, 413, 422 -> ErrorCode.UNPROCESSABLE;
      case 429 -> ErrorCode.OVERLOADED;
      default -> ErrorCode.UNAVAILABLE;
    };
  }
}
