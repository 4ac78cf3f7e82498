package io.ganglion.http.limits;

import io.ganglion.bus.ErrorCode;
import io.ganglion.config.LimitsConfig;
import io.ganglion.http.auth.Principal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * The requests-per-minute policy of a credential, the same for HTTP ({@link RateLimitHandler}) and the TCP bridge:
 * its key's or JWT's {@code rpm}, else {@code limits.defaultRpm} (0 = unlimited), in a token bucket in Redis shared by
 * every node ({@link RateLimiter}). When Redis does not answer, admin credentials follow {@code limits.adminRedisDown}
 * and the rest {@code limits.redisDown}: 503, or per-node buckets ({@link LocalBuckets}) holding the limit divided by
 * the live members, so a cluster of N nodes still admits about the limit rather than N times it. The fallback is
 * logged loudly (at most every 30 s) and counted ({@code ganglion_limits_local_total}).
 */
public final class RateLimits {

  private static final Logger LOG = LoggerFactory.getLogger(RateLimits.class);
  private static final long LOUD_LOG_INTERVAL_NANOS = 30_000_000_000L;

  private final RateLimiter limiter;
  private final LocalBuckets local = new LocalBuckets();
  private final LimitsConfig config;
  private final IntSupplier liveMembers;
  private final Counter localDecisions;
  private final AtomicLong lastLoudLog = new AtomicLong(System.nanoTime() - LOUD_LOG_INTERVAL_NANOS);

  /** @param liveMembers the serving members of the cluster (1 on a single node) */
  public RateLimits(RateLimiter limiter, LimitsConfig config, IntSupplier liveMembers, MeterRegistry meters) {
    this.limiter = limiter;
    this.config = config;
    this.liveMembers = liveMembers;
    this.localDecisions = Counter.builder("ganglion.limits.local")
      .description("rate-limit decisions taken by per-node buckets while Redis was unreachable").register(meters);
  }

  /** The limit of {@code principal} in requests per minute; 0 = unlimited. */
  public int rpm(Principal principal) {
    return principal.rpm() != null ? principal.rpm() : config.defaultRpm();
  }

  /**
   * Takes one request from {@code principal}'s bucket; {@code null} when it is unlimited. Fails 5031 when Redis is
   * down and the policy for this credential is fail-closed.
   */
  public Future<RateLimiter.Decision> acquire(Principal principal) {
    return acquire(principal, null);
  }

  /**
   * A decision taken now from a permit this event loop has leased for {@code principal} ({@link RateLimiter#leased}),
   * or {@code null}: then {@link #acquire(Principal, String)} decides (unlimited credentials included).
   */
  public RateLimiter.Decision leased(Principal principal, String budgetKey) {
    int rpm = rpm(principal);
    return rpm <= 0 ? null : limiter.leased(principal.subject(), rpm, budgetKey);
  }

  /**
   * As {@link #acquire(Principal)}, reading the counter {@code budgetKey} (when not null) in the same Redis call
   * ({@link RateLimiter.Decision#tokensUsed}; -1 when the per-node buckets decided).
   */
  public Future<RateLimiter.Decision> acquire(Principal principal, String budgetKey) {
    int rpm = rpm(principal);
    if (rpm <= 0) {
      return Future.succeededFuture();
    }
    return limiter.acquire(principal.subject(), rpm, budgetKey).recover(redisDown -> {
      boolean useLocal = principal.admin() ? config.adminRedisDownLocal() : config.redisDownLocal();
      int members = Math.max(1, liveMembers.getAsInt());
      long now = System.nanoTime();
      long last = lastLoudLog.get();
      if (now - last >= LOUD_LOG_INTERVAL_NANOS && lastLoudLog.compareAndSet(last, now)) {
        LOG.error("Redis unreachable for rate limits ({}); {}", redisDown.getMessage(), useLocal
          ? "enforcing per-node buckets of each limit / " + members + " live members"
          : "refusing admin requests (fail-closed)");
      }
      if (!useLocal) {
        return Future.failedFuture(ErrorCode.UNAVAILABLE.exception("rate-limit store unavailable; try again shortly"));
      }
      localDecisions.increment();
      return Future.succeededFuture(local.acquire(principal.subject(), Math.max(1, rpm / members)));
    });
  }
}
