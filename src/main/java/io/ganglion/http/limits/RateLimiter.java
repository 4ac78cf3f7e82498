package io.ganglion.http.limits;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.concurrent.TimeUnit;

/**
 * Requests-per-minute token buckets, one per credential, kept in Redis and updated atomically by a Lua script (using
 * Redis's clock), so every node sees the same bucket. A bucket holds {@code rpm} tokens and refills continuously at
 * {@code rpm} per minute; each request takes one.
 */
public final class RateLimiter {

  /** The outcome of one request against its bucket. {@code retryAfterMs} is 0 when allowed. */
  public record Decision(boolean allowed, int limit, long remaining, long retryAfterMs) {

    /** Seconds until the bucket is full again (for {@code RateLimit-Reset}). */
    public long resetSeconds() {
      return limit == 0 ? 0 : (long) Math.ceil((limit - remaining) * 60.0 / limit);
    }
  }

  static final String SCRIPT = """
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    local cap = tonumber(ARGV[1])
    local rate = cap / 60000
    local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
    local tokens = tonumber(b[1]) or cap
    local ts = tonumber(b[2]) or now
    tokens = math.min(cap, tokens + math.max(0, now - ts) * rate)
    local allowed = 0
    if tokens >= 1 then
      tokens = tokens - 1
      allowed = 1
    end
    redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
    redis.call('PEXPIRE', KEYS[1], 120000)
    local wait = 0
    if allowed == 0 then
      wait = math.ceil((1 - tokens) / rate)
    end
    return {allowed, math.floor(tokens), wait}
    """;

  private final Redis redis;
  private final long timeoutMs;

  public RateLimiter(Redis redis, long timeoutMs) {
    this.redis = redis;
    this.timeoutMs = timeoutMs;
  }

  /** Takes one token from {@code subject}'s bucket of {@code rpm}; fails if Redis does not answer in time. */
  public Future<Decision> acquire(String subject, int rpm) {
    return redis.send(Request.cmd(Command.EVAL).arg(SCRIPT).arg(1).arg("ganglion:rl:" + subject).arg(rpm))
      .timeout(timeoutMs, TimeUnit.MILLISECONDS)
      .map(reply -> decision(reply, rpm));
  }

  private static Decision decision(Response reply, int rpm) {
    return new Decision(reply.get(0).toInteger() == 1, rpm, reply.get(1).toLong(), reply.get(2).toLong());
  }
}
