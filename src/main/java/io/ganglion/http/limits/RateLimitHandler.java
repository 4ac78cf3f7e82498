package io.ganglion.http.limits;

import io.ganglion.bus.ErrorCode;
import io.ganglion.http.auth.Principal;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Enforces the caller's requests-per-minute ({@link RateLimits}). Sets {@code RateLimit-Limit},
 * {@code RateLimit-Remaining} and {@code RateLimit-Reset}; over the limit the request fails with 429
 * {@code rate_limited} and {@code Retry-After}.
 */
public final class RateLimitHandler implements Handler<RoutingContext> {

  private final RateLimits limits;

  public RateLimitHandler(RateLimits limits) {
    this.limits = limits;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Principal principal = Principal.of(ctx);
    limits.acquire(principal)
      .onSuccess(decision -> {
        if (decision == null) {
          ctx.next();
          return;
        }
        HttpServerResponse response = ctx.response();
        response.putHeader("RateLimit-Limit", Integer.toString(decision.limit()))
          .putHeader("RateLimit-Remaining", Long.toString(decision.remaining()))
          .putHeader("RateLimit-Reset", Long.toString(decision.resetSeconds()));
        if (decision.allowed()) {
          ctx.next();
        } else {
          response.putHeader("Retry-After", Long.toString(Math.max(1, (decision.retryAfterMs() + 999) / 1000)));
          ctx.fail(ErrorCode.RATE_LIMITED.exception("rate limit of " + decision.limit() + " requests per minute exceeded"));
        }
      })
      .onFailure(ctx::fail);
  }
}
