package io.ganglion.http.limits;

import io.ganglion.bus.ErrorCode;
import io.ganglion.config.LimitsConfig;
import io.ganglion.http.auth.Principal;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;

/**
 * Generation tokens per day per credential (its key's or JWT's {@code tokensPerDay}, else
 * {@code limits.defaultTokensPerDay}; 0 = unlimited), counted in Redis per UTC day so every node sees one count. As a
 * handler on the generating routes it refuses a request once the day's budget is spent (429 {@code rate_limited},
 * {@code Retry-After} until midnight UTC); {@link #charge} adds what an answer used. When Redis is down the check lets
 * the request through (logged) — budgets are accounting, not a safety limit.
 * <p>
 * The check reads the day's count in the rate limiter's Redis call when there is one ({@link RateLimitHandler} stores
 * it in the routing context as {@link #USED}), so a request costs one round trip; without a rate limit it reads the
 * count itself.
 */
public final class TokenBudget implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(TokenBudget.class);

  /** Routing-context key of the day's count read with the rate limit (a {@code Long}). */
  public static final String USED = "ganglion.tokensUsed";

  private static final CharSequence TOKENS_REMAINING = io.vertx.core.http.HttpHeaders.createOptimized(
    "X-Ganglion-Tokens-Remaining");
  private static final String CHARGES_MAP = "ganglion.http.tokenBudget";

  private final Redis redis;
  private final LimitsConfig config;
  private final long timeoutMs;
  private final Charges charges;
  private volatile Day day;

  /** Today's UTC day and the count keys of the callers seen today (built on every generating request otherwise). */
  private record Day(long startMs, long endMs, String suffix, ConcurrentHashMap<String, String> keys) {
  }

  private static final int MAX_KEYS_KEPT = 10_000;

  /**
   * The tokens this node has charged to each day's count, as a running total per key, shared by the node's HTTP
   * verticle instances: a rate-limit lease read the count once ({@link RateLimiter}), and adds what was charged since.
   */
  static final class Charges implements Shareable {
    private final Cache<String, AtomicLong> totals = Caffeine.newBuilder().maximumSize(100_000)
      .expireAfterAccess(Duration.ofMinutes(10)).build();

    void add(String key, long tokens) {
      total(key).addAndGet(tokens);
    }

    AtomicLong total(String key) {
      return totals.get(key, k -> new AtomicLong());
    }
  }

  public TokenBudget(Vertx vertx, Redis redis, LimitsConfig config, long timeoutMs) {
    this.redis = redis;
    this.config = config;
    this.timeoutMs = timeoutMs;
    this.charges = (Charges) vertx.sharedData().getLocalMap(CHARGES_MAP).computeIfAbsent("charges", k -> new Charges());
  }

  /**
   * The running total of generation tokens this node charges to the day's count {@code key} (not the count itself);
   * read it as often as needed, it stays current.
   */
  public AtomicLong charged(String key) {
    return charges.total(key);
  }

  /**
   * This check in front of the generating routes: a handler for {@code /v1/*} that checks the path itself
   * ({@link #guards}) and passes other requests on, rather than a route per pattern, each of which the router would
   * match (a regular expression) on every request that passes it.
   */
  public void guard(RoutingContext ctx) {
    Long read = ctx.get(USED);
    if (read != null && read >= 0) {
      // the rate limit read the count, which it does only on a route this budget guards, for a caller with a budget
      decide(ctx, budget(Principal.of(ctx)), read);
      return;
    }
    if (guards(ctx)) {
      handle(ctx);
    } else {
      ctx.next();
    }
  }

  /**
   * Whether the request of {@code ctx} goes to a route this budget checks: {@code POST /v1/kbs/:kb/ask}, {@code /v1/chat/completions} or
   * {@code /v1/agents/:name/runs}, by
   * the normalised path the router matches routes on (a trailing slash included, as Vert.x's patterns allow one).
   */
  public boolean guards(RoutingContext ctx) {
    if (ctx.request().method() != HttpMethod.POST) {
      return false;
    }
    String path = ctx.normalizedPath();
    if (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return path.equals("/v1/chat/completions") || oneSegment(path, "/v1/kbs/", "/ask")
      || oneSegment(path, "/v1/agents/", "/runs");
  }

  // prefix + one non-empty path segment + suffix
  private static boolean oneSegment(String path, String prefix, String suffix) {
    return path.startsWith(prefix) && path.endsWith(suffix) && path.length() > prefix.length() + suffix.length()
      && path.indexOf('/', prefix.length()) == path.length() - suffix.length();
  }

  /** The Redis key of the caller's count today, or {@code null} when the caller has no budget. */
  public String keyFor(Principal principal) {
    return budget(principal) > 0 ? key(principal) : null;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Principal principal = Principal.of(ctx);
    long budget = budget(principal);
    if (budget <= 0) {
      ctx.next();
      return;
    }
    Long read = ctx.get(USED);
    if (read != null && read >= 0) {
      decide(ctx, budget, read);
      return;
    }
    redis.send(Request.cmd(Command.GET).arg(key(principal)))
      .timeout(timeoutMs, TimeUnit.MILLISECONDS)
      .onComplete(ar -> {
        if (ar.failed()) {
          LOG.warn("token budget not checked, Redis unavailable: {}", ar.cause().getMessage());
          ctx.next();
          return;
        }
        decide(ctx, budget, ar.result() == null ? 0 : ar.result().toLong());
      });
  }

  private static void decide(RoutingContext ctx, long budget, long used) {
    ctx.response().putHeader(TOKENS_REMAINING, Long.toString(Math.max(0, budget - used)));
    if (used >= budget) {
      ctx.response().putHeader("Retry-After", Long.toString(secondsToMidnightUtc()));
      ctx.fail(ErrorCode.RATE_LIMITED.exception("daily budget of " + budget + " generation tokens is spent"));
    } else {
      ctx.next();
    }
  }

  /** Charges the generation tokens of {@code answer} (a fresh answer; cache hits and rule replies cost nothing). */
  public Future<io.ganglion.reflex.ReflexAnswer> charging(Principal principal, Future<io.ganglion.reflex.ReflexAnswer> answer) {
    return answer.onSuccess(a -> {
      JsonObject usage = a.json().getJsonObject("usage");
      if (a.source() == io.ganglion.reflex.ReflexAnswer.Source.ORCHESTRATOR && usage != null) {
        charge(principal, usage.getLong("totalTokens", 0L));
      }
    });
  }

  /** Adds {@code tokens} to the caller's count for today (fire and forget). */
  public Future<Void> charge(Principal principal, long tokens) {
    if (tokens <= 0 || budget(principal) <= 0) {
      return Future.succeededFuture();
    }
    String key = key(principal);
    charges.add(key, tokens);
    return redis.send(Request.cmd(Command.INCRBY).arg(key).arg(tokens))
      .compose(v -> redis.send(Request.cmd(Command.EXPIRE).arg(key).arg(Duration.ofDays(2).toSeconds())))
      .<Void>mapEmpty()
      .onFailure(e -> LOG.warn("token usage not recorded, Redis unavailable: {}", e.getMessage()));
  }

  private long budget(Principal principal) {
    return principal.tokensPerDay() != null ? principal.tokensPerDay() : config.defaultTokensPerDay();
  }

  private String key(Principal principal) {
    long now = System.currentTimeMillis();
    Day today = day;
    if (today == null || now < today.startMs() || now >= today.endMs()) {
      LocalDate date = LocalDate.now(ZoneOffset.UTC);
      long start = date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      today = new Day(start, start + Duration.ofDays(1).toMillis(), ":" + date, new ConcurrentHashMap<>());
      day = today;
    }
    String key = today.keys().get(principal.subject());
    if (key == null) {
      key = "ganglion:tpd:" + principal.subject() + today.suffix();
      if (today.keys().size() < MAX_KEYS_KEPT) {
        today.keys().put(principal.subject(), key);
      }
    }
    return key;
  }

  private static long secondsToMidnightUtc() {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    return Duration.between(now, now.toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.UTC)).toSeconds() + 1;
  }
}
