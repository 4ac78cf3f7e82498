package io.ganglion.http.limits;

import io.ganglion.bus.ErrorCode;
import io.ganglion.http.auth.Principal;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Enforces the caller's requests-per-minute ({@link RateLimits}). Sets {@code RateLimit-Limit},
 * {@code RateLimit-Remaining} and {@code RateLimit-Reset}; over the limit the request fails with 429
 * {@code rate_limited} and {@code Retry-After}. On a route the {@link TokenBudget} checks, the same Redis call reads
 * the caller's count of generation tokens today (stored in the routing context as {@link TokenBudget#USED}).
 * <p>
 * <b>NOTE</b>: one per HTTP verticle instance, confined to its event loop (as its {@link RateLimiter} is).
 */
public final class RateLimitHandler implements Handler<RoutingContext> {

  // header names as pre-encoded ASCII: written on every limited request
  private static final CharSequence LIMIT = HttpHeaders.createOptimized("RateLimit-Limit");
  private static final CharSequence REMAINING = HttpHeaders.createOptimized("RateLimit-Remaining");
  private static final CharSequence RESET = HttpHeaders.createOptimized("RateLimit-Reset");

  private final RateLimits limits;

  private final TokenBudget budget;

  /** @param budget the token budget whose count to read in the same call, or {@code null} */
  public RateLimitHandler(RateLimits limits, TokenBudget budget) {
    this.limits = limits;
    this.budget = budget;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Principal principal = Principal.of(ctx);
    String budgetKey = budget != null && budget.guards(ctx) ? budget.keyFor(principal) : null;
    // a permit this event loop has leased decides at once, without a future
    RateLimiter.Decision leased = limits.leased(principal, budgetKey);
    if (leased != null) {
      decided(ctx, leased);
      return;
    }
    limits.acquire(principal, budgetKey)
      .onSuccess(decision -> {
        if (decision == null) {
          ctx.next();
        } else {
          decided(ctx, decision);
        }
      })
      .onFailure(ctx::fail);
  }

  private static void decided(RoutingContext ctx, RateLimiter.Decision decision) {
    HttpServerResponse response = ctx.response();
    response.putHeader(LIMIT, Integer.toString(decision.limit()))
      .putHeader(REMAINING, Long.toString(decision.remaining()))
      .putHeader(RESET, Long.toString(decision.resetSeconds()));
    if (decision.tokensUsed() >= 0) {
      ctx.put(TokenBudget.USED, decision.tokensUsed());
    }
    if (decision.allowed()) {
      ctx.next();
    } else {
      response.putHeader("Retry-After", Long.toString(Math.max(1, (decision.retryAfterMs() + 999) / 1000)));
      ctx.fail(ErrorCode.RATE_LIMITED.exception("rate limit of " + decision.limit() + " requests per minute exceeded"));
    }
  }
}
