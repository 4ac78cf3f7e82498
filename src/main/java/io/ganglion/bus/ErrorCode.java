package io.ganglion.bus;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * The one table of failure codes. A verticle fails a bus message with {@code msg.fail(code.code(), message)}; the
 * HTTP layer maps the code to {@link #status()} and answers {@code {"error":{"code":slug,"message","requestId"}}}.
 * <p>
 * Codes are stable: clients and other nodes match on {@link #slug()} (HTTP) or {@link #code()} (event bus).
 */
public enum ErrorCode {
  INVALID_REQUEST(4000, 400, "invalid_request"),
  MALFORMED_JSON(4001, 400, "malformed_json"),
  UNAUTHORIZED(4010, 401, "unauthorized"),
  FORBIDDEN(4030, 403, "forbidden"),
  NOT_FOUND(4040, 404, "not_found"),
  METHOD_NOT_ALLOWED(4050, 405, "method_not_allowed"),
  REQUEST_TIMEOUT(4080, 408, "request_timeout"),
  CONFLICT(4090, 409, "conflict"),
  PAYLOAD_TOO_LARGE(4130, 413, "payload_too_large"),
  UNSUPPORTED_MEDIA_TYPE(4150, 415, "unsupported_media_type"),
  UNPROCESSABLE(4220, 422, "unprocessable"),
  RATE_LIMITED(4290, 429, "rate_limited"),
  INTERNAL(5000, 500, "internal_error"),
  OVERLOADED(5030, 503, "overloaded"),
  UNAVAILABLE(5031, 503, "unavailable"),
  /** The node's heap or disk is near full (retrieval.capacity): ingestion is refused before either runs out. */
  CAPACITY(5032, 503, "capacity"),
  TIMEOUT(5040, 504, "timeout");

  private final int code;
  private final int status;
  private final String slug;

  ErrorCode(int code, int status, String slug) {
    this.code = code;
    this.status = status;
    this.slug = slug;
  }

  /** The numeric failure code carried by a {@link ReplyException} on the event bus. */
  public int code() {
    return code;
  }

  /** The HTTP status this code maps to. */
  public int status() {
    return status;
  }

  /** The stable snake_case name clients see in {@code error.code}. */
  public String slug() {
    return slug;
  }

  /** A {@link ReplyException} carrying this code, for failing futures that end in a bus reply. */
  public ReplyException exception(String message) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, message);
  }

  /** Fails {@code msg} with this code. */
  public void fail(Message<?> msg, String message) {
    msg.fail(code, message);
  }

  /** The code for a numeric bus failure code; unknown codes are {@link #INTERNAL}. */
  public static ErrorCode ofCode(int code) {
    for (ErrorCode c : values()) {
      if (c.code == code) {
        return c;
      }
    }
    return INTERNAL;
  }

  /**
   * The one decision table from a failure to its code, used by every consumer ({@link Handlers}) and by the HTTP
   * edge. Futures' {@link java.util.concurrent.CompletionException} wrappers are looked through.
   * <table>
   *   <caption>failure to code</caption>
   *   <tr><td>{@link ReplyException} {@code TIMEOUT}</td><td>{@link #TIMEOUT}</td></tr>
   *   <tr><td>{@link ReplyException} {@code NO_HANDLERS}</td><td>{@link #UNAVAILABLE}</td></tr>
   *   <tr><td>{@link ReplyException} from a recipient</td><td>its code ({@link #ofCode}; unknown codes
   *   {@link #INTERNAL})</td></tr>
   *   <tr><td>{@link CodedFailure} (a full queue, a duplicate, a store that cannot be reached, ...)</td>
   *   <td>its {@link CodedFailure#errorCode()}</td></tr>
   *   <tr><td>{@link java.util.concurrent.TimeoutException} ({@code Future.timeout})</td><td>{@link #TIMEOUT}</td></tr>
   *   <tr><td>{@link IllegalArgumentException}</td><td>{@link #INVALID_REQUEST}</td></tr>
   *   <tr><td>{@link java.net.ConnectException}, {@code io.vertx.pgclient.PgException}: a store or upstream
   *   refused us</td><td>{@link #UNAVAILABLE}</td></tr>
   *   <tr><td>anything else (a bug)</td><td>{@link #INTERNAL}</td></tr>
   * </table>
   */
  public static ErrorCode of(Throwable failure) {
    Throwable cause = unwrap(failure);
    return switch (cause) {
      case ReplyException re -> switch (re.failureType()) {
        case TIMEOUT -> TIMEOUT;
        case NO_HANDLERS -> UNAVAILABLE;
        default -> ofCode(re.failureCode());
      };
      case CodedFailure coded -> coded.errorCode();
      case java.util.concurrent.TimeoutException e -> TIMEOUT;
      case IllegalArgumentException e -> INVALID_REQUEST;
      case java.net.ConnectException e -> UNAVAILABLE;
      case io.vertx.pgclient.PgException e -> UNAVAILABLE;
      case Throwable t when diskFull(t) -> UNAVAILABLE;
      case null, default -> INTERNAL;
    };
  }

  /** Whether {@code failure} is the OS saying the disk is full (ENOSPC: a write that cannot land now, not a bug). */
  public static boolean diskFull(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.io.IOException && String.valueOf(t.getMessage()).contains("No space left on device")) {
        return true;
      }
    }
    return false;
  }

  /** {@code failure} without its {@link java.util.concurrent.CompletionException} wrapper, if it has one. */
  public static Throwable unwrap(Throwable failure) {
    return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
      ? failure.getCause() : failure;
  }
}
