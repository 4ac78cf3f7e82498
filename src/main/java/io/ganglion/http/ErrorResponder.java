package io.ganglion.http;

import io.ganglion.bus.ErrorCode;
import io.ganglion.bus.Handlers;
import io.ganglion.bus.RequestIds;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every failure as {@code {"error":{"code","message","requestId"}}} with the status of its {@link ErrorCode}:
 * route and bus failures by the one table ({@link ErrorCode#of}: recipient codes, bus timeout → 504, no handler → 503,
 * {@code IllegalArgumentException} → 400, ...), and the router's own errors (404, 405, 413, 415, 504 from the timeout
 * handler). Bad input never becomes a 500; anything unexpected is
 * logged with its request id and answered 500 without internals.
 */
public final class ErrorResponder {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponder.class);

  /** Seconds a client should wait after a 503 before retrying. */
  static final String RETRY_AFTER_SECONDS = "1";

  private ErrorResponder() {
  }

  /** The router's failure handler. */
  public static void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    ErrorCode code;
    String message;
    if (failure instanceof ReplyException re) {
      code = ErrorCode.of(re);
      message = busMessage(re);
    } else if (failure instanceof HttpException he) {
      code = byStatus(he.getStatusCode());
      message = he.getPayload() != null ? he.getPayload() : defaultMessage(code, ctx);
    } else if (failure == null) {
      code = byStatus(ctx.statusCode());
      message = defaultMessage(code, ctx);
    } else {
      code = ErrorCode.of(failure);
      message = Handlers.message(code, failure);
    }
    if (code == ErrorCode.INTERNAL) {
      LOG.error("request failed: {} {}", ctx.request().method(), ctx.request().path(), failure);
    }
    send(ctx, code, message, failure instanceof FieldFailure field ? field.param() : null);
  }

  /** Answers {@code code} with {@code message} unless a response is already under way. */
  public static void send(RoutingContext ctx, ErrorCode code, String message) {
    send(ctx, code, message, null);
  }

  /**
   * Answers {@code code} with {@code message}, in OpenAI's shape too where {@link OpenAiErrors#applies} ({@code param}
   * names the field at fault, or is null).
   */
  public static void send(RoutingContext ctx, ErrorCode code, String message, String param) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      if (!response.ended()) {
        response.reset();
      }
      return;
    }
    if ((code.status() == 503 || code.status() == 429) && !response.headers().contains(HttpHeaders.RETRY_AFTER)) {
      response.putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
    }
    String requestId = RequestIds.current();
    JsonObject body = new JsonObject().put("error", new JsonObject()
      .put("code", code.slug())
      .put("message", message == null ? code.slug() : message)
      .put("requestId", requestId));
    if (OpenAiErrors.applies(ctx, code.status())) {
      OpenAiErrors.decorate(body, code.status(), param);
    }
    response.setStatusCode(code.status())
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .end(body.toBuffer());
  }

  /**
   * The error contract's body for a failure that happens after a streamed response has started (SSE
   * {@code event: error}): {@code {"error":{"code","message","requestId"}}}.
   */
  public static JsonObject body(Throwable failure) {
    return body(failure, false);
  }

  /** {@link #body(Throwable)}, in OpenAI's shape too when {@code openAi} (a streamed chat completion). */
  public static JsonObject body(Throwable failure, boolean openAi) {
    ErrorCode code = ErrorCode.of(failure);
    String message = failure instanceof ReplyException re ? busMessage(re) : Handlers.message(code, failure);
    if (code == ErrorCode.INTERNAL) {
      LOG.error("streamed request failed", failure);
    }
    JsonObject body = new JsonObject().put("error", new JsonObject()
      .put("code", code.slug()).put("message", message == null ? code.slug() : message).put("requestId", RequestIds.current()));
    return openAi ? OpenAiErrors.decorate(body, code.status(), failure instanceof FieldFailure f ? f.param() : null) : body;
  }

  private static String busMessage(ReplyException re) {
    return switch (re.failureType()) {
      case TIMEOUT -> "the request took too long inside the server";
      case NO_HANDLERS -> "the service that answers this is not available";
      default -> re.getMessage();
    };
  }

  static ErrorCode byStatus(int status) {
    return switch (status) {
      case 400 -> ErrorCode.INVALID_REQUEST;
      case 401 -> ErrorCode.UNAUTHORIZED;
      case 403 -> ErrorCode.FORBIDDEN;
      case 404 -> ErrorCode.NOT_FOUND;
      case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
      case 409 -> ErrorCode.CONFLICT;
      case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
      case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
      case 422 -> ErrorCode.UNPROCESSABLE;
      case 429 -> ErrorCode.RATE_LIMITED;
      case 503 -> ErrorCode.UNAVAILABLE;
      case 504 -> ErrorCode.TIMEOUT;
      default -> ErrorCode.INTERNAL;
    };
  }

  private static String defaultMessage(ErrorCode code, RoutingContext ctx) {
    return switch (code) {
      case NOT_FOUND -> "no route for " + ctx.request().method() + " " + ctx.request().path();
      case METHOD_NOT_ALLOWED -> "method " + ctx.request().method() + " is not allowed on " + ctx.request().path();
      case PAYLOAD_TOO_LARGE -> "request body is larger than the configured limit";
      case UNSUPPORTED_MEDIA_TYPE -> "unsupported Content-Type " + ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
      case TIMEOUT -> "the request took too long";
      case INVALID_REQUEST -> "bad request";
      default -> code.slug().replace('_', ' ');
    };
  }
}
