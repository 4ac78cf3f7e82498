package io.ganglion.http;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * A deadline for receiving a request body ({@code http.bodyTimeoutMs}): {@link #start()} goes before the body handler,
 * {@link #done()} right after it. A client still sending when the deadline passes (a body trickled a few bytes at a
 * time, which never looks idle) gets 408 {@code request_timeout} and its connection is closed, so it cannot hold the
 * connection and the upload buffer any longer.
 */
public final class BodyDeadline {

  private static final String TIMER = "ganglion.bodyDeadline";

  private final long timeoutMs;
  private final long requestTimeoutMs;

  /** @param requestTimeoutMs the request's own budget ({@link RequestTimeout}), which runs from before the body */
  public BodyDeadline(long timeoutMs, long requestTimeoutMs) {
    this.timeoutMs = timeoutMs;
    this.requestTimeoutMs = requestTimeoutMs;
  }

  /**
   * Whether the deadline can ever fire: one at or beyond the request's budget never does (that budget started
   * earlier and answers 504 first, which ends the request and would cancel this timer), so it need not be mounted,
   * sparing every {@code /v1} request a timer set and cancelled for nothing. The defaults (60 s, 30 s) are such a case.
   */
  public boolean needed() {
    return timeoutMs < requestTimeoutMs;
  }

  public Handler<RoutingContext> start() {
    return ctx -> {
      if (!ctx.request().isEnded()) {
        long timer = ctx.vertx().setTimer(timeoutMs, t -> {
          ctx.remove(TIMER);
          if (!ctx.response().ended()) {
            ctx.response().putHeader("Connection", "close");
            ErrorResponder.send(ctx, ErrorCode.REQUEST_TIMEOUT, "the request body did not arrive within "
              + timeoutMs + " ms");
          }
          ctx.request().connection().close();
        });
        ctx.put(TIMER, timer);
        ctx.addEndHandler(ended -> cancel(ctx));
      }
      ctx.next();
    };
  }

  public Handler<RoutingContext> done() {
    return ctx -> {
      cancel(ctx);
      ctx.next();
    };
  }

  private static void cancel(RoutingContext ctx) {
    Long timer = ctx.remove(TIMER);
    if (timer != null) {
      ctx.vertx().cancelTimer(timer);
    }
  }
}
