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
   * Classifies any failure: a recipient failure by its code, a bus timeout as {@link #TIMEOUT}, no handler as
   * {@link #UNAVAILABLE}, anything else as {@link #INTERNAL}.
   */
  public static ErrorCode of(Throwable failure) {
    if (failure instanceof ReplyException re) {
      return switch (re.failureType()) {
        case TIMEOUT -> TIMEOUT;
        case NO_HANDLERS -> UNAVAILABLE;
        default -> ofCode(re.failureCode());
      };
    }
    if (failure instanceof java.util.concurrent.TimeoutException) {
      return TIMEOUT;
    }
    return INTERNAL;
  }
}
