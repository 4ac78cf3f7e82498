package io.ganglion.http;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * A request refused because of one field: a failure like {@link ErrorCode#exception}, naming the field, which the
 * OpenAI-compatible routes report as {@code error.param} (OpenAI's SDKs show it).
 */
public final class FieldFailure extends ReplyException {

  private final String param;

  private FieldFailure(ErrorCode code, String param, String message) {
    super(ReplyFailure.RECIPIENT_FAILURE, code.code(), message);
    this.param = param;
  }

  /** 4000 {@code invalid_request} about {@code param}. */
  public static FieldFailure invalid(String param, String message) {
    return new FieldFailure(ErrorCode.INVALID_REQUEST, param, message);
  }

  /** {@code code} about {@code param}. */
  public static FieldFailure of(ErrorCode code, String param, String message) {
    return new FieldFailure(code, param, message);
  }

  public String param() {
    return param;
  }
}
