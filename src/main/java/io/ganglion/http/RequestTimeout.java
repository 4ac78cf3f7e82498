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
  private static final String DEADLINE = "ganglion.requestDeadline";

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
    ctx.put(DEADLINE, System.currentTimeMillis() + timeoutMs);
    ctx.addEndHandler(ended -> exempt(ctx));
    ctx.next();
  }

  /**
   * When the request's budget runs out (epoch ms), for the work it hands on ({@link io.ganglion.bus.Deadlines#DEADLINE_HEADER}):
   * {@code Long.MAX_VALUE} once it is exempt, or on a route outside the budget.
   */
  public static long deadline(RoutingContext ctx) {
    Long deadline = ctx.get(DEADLINE);
    return deadline == null || ctx.get(TIMER) == null ? Long.MAX_VALUE : deadline;
  }

  /** Takes the request out of the budget: its timeout will not fire. Idempotent; call on the request's event loop. */
  public static void exempt(RoutingContext ctx) {
    Long timer = ctx.remove(TIMER);
    if (timer != null) {
      ctx.vertx().cancelTimer(timer);
    }
  }
}
