package io.ganglion.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * The request budget ({@code http.requestTimeoutMs}): a request whose response has not ended in time fails with 504.
 * A Server-Sent Events stream is exempt once it opens ({@link #exempt}, called by {@link SseStream}): it ends by its own
 * deadline (an ask's budget) or when its job is done, and is kept alive by heartbeats, however long that takes.
 * <p>
 * Vert.x Web's {@code TimeoutHandler} does the same minus the exemption: its timer is private, and whether a request
 * becomes a stream is known only once its body is read ({@code "stream":true}), after the timeout handler ran.
 */
public final class RequestTimeout implements Handler<RoutingContext> {

  private static final String TIMER = "ganglion.requestTimeout";

  private final long timeoutMs;
  private final int status;

  public RequestTimeout(long timeoutMs, int status) {
    this.timeoutMs = timeoutMs;
    this.status = status;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long timer = ctx.vertx().setTimer(timeoutMs, id -> {
      if (ctx.remove(TIMER) != null && !ctx.response().ended()) {
        if (!ctx.request().isEnded()) {
          ctx.request().resume();
        }
        ctx.fail(status);
      }
    });
    ctx.put(TIMER, timer);
    ctx.addEndHandler(ended -> exempt(ctx));
    ctx.next();
  }

  /** Takes the request out of the budget: its timeout will not fire. Idempotent; call on the request's event loop. */
  public static void exempt(RoutingContext ctx) {
    Long timer = ctx.remove(TIMER);
    if (timer != null) {
      ctx.vertx().cancelTimer(timer);
    }
  }
}
