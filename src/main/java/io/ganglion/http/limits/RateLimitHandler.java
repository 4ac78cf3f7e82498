package io.ganglion.http.limits;

import io.ganglion.bus.ErrorCode;
import io.ganglion.config.LimitsConfig;
import io.ganglion.http.auth.Principal;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Enforces the caller's requests-per-minute (its key's or JWT's {@code rpm}, else {@code limits.defaultRpm}; 0 means
 * unlimited). Sets {@code RateLimit-Limit}, {@code RateLimit-Remaining} and {@code RateLimit-Reset}; over the limit the
 * request fails with 429 {@code rate_limited} and {@code Retry-After}. When Redis does not answer, admin credentials
 * follow {@code limits.adminRedisDown} and the rest {@code limits.redisDown}: per-node buckets (logged loudly, at most
 * every 30 s) or 503. On a route the {@link TokenBudget} checks, the same Redis call reads the caller's count of
 * generation tokens today (stored in the routing context as {@link TokenBudget#USED}).
 * <p>
 * <b>NOTE</b>: one per HTTP verticle instance, confined to its event loop (as its {@link RateLimiter} is).
 */
public final class RateLimitHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(RateLimitHandler.class);
  private static final long LOUD_LOG_INTERVAL_NANOS = 30_000_000_000L;

  private final RateLimiter limiter;
  private final LocalBuckets local = new LocalBuckets();
  private final LimitsConfig config;
  private final TokenBudget budget;
  private final AtomicLong lastLoudLog = new AtomicLong(System.nanoTime() - LOUD_LOG_INTERVAL_NANOS);

  /** @param budget the token budget whose count to read in the same call, or {@code null} */
  public RateLimitHandler(RateLimiter limiter, LimitsConfig config, TokenBudget budget) {
    this.limiter = limiter;
    this.config = config;
    this.budget = budget;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Principal principal = Principal.of(ctx);
    int rpm = principal.rpm() != null ? principal.rpm() : config.defaultRpm();
    if (rpm <= 0) {
      ctx.next();
      return;
    }
    String budgetKey = budget != null && budget.guards(ctx.request()) ? budget.keyFor(principal) : null;
    limiter.acquire(principal.subject(), rpm, budgetKey)
      .recover(redisDown -> {
        boolean useLocal = principal.admin() ? config.adminRedisDownLocal() : config.redisDownLocal();
        long now = System.nanoTime();
        long last = lastLoudLog.get();
        if (now - last >= LOUD_LOG_INTERVAL_NANOS && lastLoudLog.compareAndSet(last, now)) {
          LOG.error("Redis unreachable for rate limits ({}); {}", redisDown.getMessage(),
            useLocal ? "enforcing per-node buckets" : "refusing admin requests (fail-closed)");
        }
        if (!useLocal) {
          return io.vertx.core.Future.failedFuture(
            ErrorCode.UNAVAILABLE.exception("rate-limit store unavailable; try again shortly"));
        }
        return io.vertx.core.Future.succeededFuture(local.acquire(principal.subject(), rpm));
      })
      .onSuccess(decision -> {
        HttpServerResponse response = ctx.response();
        response.putHeader("RateLimit-Limit", Integer.toString(decision.limit()))
          .putHeader("RateLimit-Remaining", Long.toString(decision.remaining()))
          .putHeader("RateLimit-Reset", Long.toString(decision.resetSeconds()));
        if (decision.tokensUsed() >= 0) {
          ctx.put(TokenBudget.USED, decision.tokensUsed());
        }
        if (decision.allowed()) {
          ctx.next();
        } else {
          response.putHeader("Retry-After", Long.toString(Math.max(1, (decision.retryAfterMs() + 999) / 1000)));
          ctx.fail(ErrorCode.RATE_LIMITED.exception("rate limit of " + rpm + " requests per minute exceeded"));
        }
      })
      .onFailure(ctx::fail);
  }
}
