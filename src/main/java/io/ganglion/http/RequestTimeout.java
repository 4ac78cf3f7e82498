package io.ganglion.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.TimeUnit;

/**
 * The request budget ({@code http.requestTimeoutMs}): a request whose response has not ended in time fails with 504.
 * A Server-Sent Events stream is exempt once it opens ({@link #exempt}, called by {@link SseStream}): it ends by its own
 * deadline (an ask's budget) or when its job is done, and is kept alive by heartbeats, however long that takes.
 * <p>
 * Vert.x Web's {@code TimeoutHandler} does the same minus the exemption: its timer is private, and whether a request
 * becomes a stream is known only once its body is read ({@code "stream":true}), after the timeout handler ran.
 * <p>
 * Every request has the same budget, so the requests in flight expire in the order they arrived: they wait in a list
 * in that order, and one timer, armed for the oldest, takes out those whose time is up. A request that ends leaves the
 * list without touching the timer (a timer set and cancelled per request cost more than the rest of this handler).
 * <p>
 * <b>NOTE</b>: one instance per HTTP verticle instance, confined to its event loop, like the requests it times.
 */
public final class RequestTimeout implements Handler<RoutingContext> {

  private static final String PENDING = "ganglion.requestTimeout";

  private final long timeoutMs;
  private final int status;
  /** The requests in flight within their budget, oldest first. */
  private Pending head;
  private Pending tail;
  private long timer = -1;

  public RequestTimeout(long timeoutMs, int status) {
    this.timeoutMs = timeoutMs;
    this.status = status;
  }

  /** A request within its budget; {@code linked} until it ends, is exempted or times out. */
  private static final class Pending {
    final RequestTimeout owner;
    final RoutingContext ctx;
    /** Epoch ms, for the work the request hands on. */
    final long deadline;
    /** {@link System#nanoTime()} at which it times out. */
    final long due;
    Pending prev;
    Pending next;
    boolean linked = true;

    Pending(RequestTimeout owner, RoutingContext ctx, long deadline, long due) {
      this.owner = owner;
      this.ctx = ctx;
      this.deadline = deadline;
      this.due = due;
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    Pending pending = new Pending(this, ctx, System.currentTimeMillis() + timeoutMs,
      System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
    if (tail == null) {
      head = pending;
    } else {
      tail.next = pending;
      pending.prev = tail;
    }
    tail = pending;
    if (timer == -1) {
      arm(ctx.vertx());
    }
    ctx.put(PENDING, pending);
    ctx.addEndHandler(ended -> exempt(ctx));
    ctx.next();
  }

  /**
   * When the request's budget runs out (epoch ms), for the work it hands on ({@link io.ganglion.bus.Deadlines#DEADLINE_HEADER}):
   * {@code Long.MAX_VALUE} once it is exempt, or on a route outside the budget.
   */
  public static long deadline(RoutingContext ctx) {
    return ctx.get(PENDING) instanceof Pending p && p.linked ? p.deadline : Long.MAX_VALUE;
  }

  /** Takes the request out of the budget: its timeout will not fire. Idempotent; call on the request's event loop. */
  public static void exempt(RoutingContext ctx) {
    if (ctx.get(PENDING) instanceof Pending p) {
      p.owner.unlink(p);
    }
  }

  private void unlink(Pending p) {
    if (!p.linked) {
      return;
    }
    p.linked = false;
    if (p.prev == null) {
      head = p.next;
    } else {
      p.prev.next = p.next;
    }
    if (p.next == null) {
      tail = p.prev;
    } else {
      p.next.prev = p.prev;
    }
    p.prev = null;
    p.next = null;
  }

  /** Arms the timer for the oldest request (the list is not empty). */
  private void arm(Vertx vertx) {
    long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(head.due - System.nanoTime() + 999_999));
    timer = vertx.setTimer(delayMs, t -> expire(vertx));
  }

  private void expire(Vertx vertx) {
    timer = -1;
    long now = System.nanoTime();
    while (head != null && head.due - now <= 0) {
      Pending p = head;
      unlink(p);
      RoutingContext ctx = p.ctx;
      if (!ctx.response().ended()) {
        if (!ctx.request().isEnded()) {
          ctx.request().resume();
        }
        ctx.fail(status);
      }
    }
    if (head != null && timer == -1) { // a failed request's end may have started the next one, which armed it
      arm(vertx);
    }
  }
}
