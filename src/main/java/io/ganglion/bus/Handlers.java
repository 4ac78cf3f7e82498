package io.ganglion.bus;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * The one way a consumer answers: run the action on the request, reply with its result, or fail the message with the
 * code {@link ErrorCode#of} decides for whatever went wrong, thrown or failed, so every verticle maps failures by
 * the same table (the shape of Vert.x service proxies' {@code HelperUtils}).
 * <pre>
 * bus.&lt;JsonObject&gt;consumer(Addresses.RETRIEVAL_SEARCH, Handlers.replying(this::search));
 * </pre>
 * An {@link ErrorCode#INTERNAL} failure is a bug: it is logged with its stack (the request id is in the log line) and
 * answered {@code "internal error"}, so no internals reach a client. Every other failure keeps its message, which
 * is written for the caller.
 */
public final class Handlers {

  private static final Logger LOG = LoggerFactory.getLogger(Handlers.class);

  private Handlers() {
  }

  /** A consumer handler that answers each message with {@link #reply}. */
  public static <T, R> Handler<Message<T>> replying(Function<T, Future<R>> action) {
    return msg -> reply(msg, action);
  }

  /** Runs {@code action} on {@code msg}'s body; replies with its result or fails {@code msg} by {@link #fail}. */
  public static <T, R> void reply(Message<T> msg, Function<T, Future<R>> action) {
    Future<R> result;
    try {
      result = action.apply(msg.body());
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onSuccess(msg::reply).onFailure(failure -> fail(msg, failure));
  }

  /** Fails {@code msg} with the code of {@code failure} ({@link ErrorCode#of}). */
  public static void fail(Message<?> msg, Throwable failure) {
    ErrorCode code = ErrorCode.of(failure);
    if (code == ErrorCode.INTERNAL) {
      LOG.error("{} failed", msg.address(), failure);
    }
    msg.fail(code.code(), message(code, failure));
  }

  /**
   * What a caller is told: the failure's own message, {@code internal error} for a bug, and for a full disk
   * ({@link ErrorCode#diskFull}) that it is one.
   */
  public static String message(ErrorCode code, Throwable failure) {
    if (code == ErrorCode.INTERNAL) {
      return "internal error";
    }
    if (ErrorCode.diskFull(failure)) {
      return "the server's disk is full (no space left on device): the write could not be stored; retry once space is freed";
    }
    Throwable cause = ErrorCode.unwrap(failure);
    String message = cause.getMessage();
    return message == null || message.isBlank() ? code.slug() : message;
  }
}
