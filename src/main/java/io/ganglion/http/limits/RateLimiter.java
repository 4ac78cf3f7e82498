package io.ganglion.http.limits;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Requests-per-minute token buckets, one per credential, kept in Redis and updated atomically by a Lua script (using
 * Redis's clock), so every node sees the same bucket. A bucket holds {@code rpm} tokens and refills continuously at
 * {@code rpm} per minute; each request takes one. The same script reads the caller's generation-token count of the
 * day when asked to ({@link TokenBudget}), so a request costs at most one Redis round trip.
 * <p>
 * The script is sent once ({@code SCRIPT LOAD} on first use) and then called by its SHA-1 with {@code EVALSHA}; a
 * Redis that forgot it (restarted, {@code SCRIPT FLUSH}) answers {@code NOSCRIPT}, and the call is repeated with
 * {@code EVAL}, which loads it again.
 * <p>
 * Requests of one credential that arrive while a call for it is in flight wait for that call and then go together in
 * the next one, which takes as many tokens as there are requests (the first ones of the group get them): under load
 * a hot key costs one Redis call per round trip time instead of one per request, and no request waits for a timer.
 * <p>
 * <b>NOTE</b>: confined to one event loop (the HTTP verticle instance that owns it); the groups live in a plain map.
 */
public final class RateLimiter {

  /** The outcome of one request against its bucket. {@code retryAfterMs} is 0 when allowed. */
  public record Decision(boolean allowed, int limit, long remaining, long retryAfterMs, long tokensUsed) {

    public Decision(boolean allowed, int limit, long remaining, long retryAfterMs) {
      this(allowed, limit, remaining, retryAfterMs, -1);
    }

    /** Seconds until the bucket is full again (for {@code RateLimit-Reset}). */
    public long resetSeconds() {
      return limit == 0 ? 0 : (long) Math.ceil((limit - remaining) * 60.0 / limit);
    }
  }

  /** Most requests one call takes tokens for; more wait for the next call. */
  static final int MAX_GROUP = 512;

  // KEYS[1] the bucket, KEYS[2] (optional) the day's generation-token counter; ARGV[1] rpm, ARGV[2] requests.
  // Returns {granted, tokens left, ms until the next token (0 if all were granted), tokens used today or -1}.
  static final String SCRIPT = """
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    local cap = tonumber(ARGV[1])
    local want = tonumber(ARGV[2])
    local rate = cap / 60000
    local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
    local tokens = tonumber(b[1]) or cap
    local ts = tonumber(b[2]) or now
    tokens = math.min(cap, tokens + math.max(0, now - ts) * rate)
    local granted = math.max(0, math.min(want, math.floor(tokens)))
    tokens = tokens - granted
    redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
    redis.call('PEXPIRE', KEYS[1], 120000)
    local wait = 0
    if granted < want then
      wait = math.ceil((1 - tokens) / rate)
    end
    local used = -1
    if KEYS[2] then
      used = tonumber(redis.call('GET', KEYS[2]) or '0')
    end
    return {granted, math.floor(tokens), wait, used}
    """;
  static final String SHA = sha1(SCRIPT);

  private final Redis redis;
  private final long timeoutMs;
  private final Map<String, Group> groups = new HashMap<>();
  private boolean loaded;

  /** The requests of one credential waiting for the call in flight. */
  private static final class Group {
    final String subject;
    final int rpm;
    final String budgetKey;
    List<Promise<Decision>> next = new ArrayList<>();

    Group(String subject, int rpm, String budgetKey) {
      this.subject = subject;
      this.rpm = rpm;
      this.budgetKey = budgetKey;
    }
  }

  public RateLimiter(Redis redis, long timeoutMs) {
    this.redis = redis;
    this.timeoutMs = timeoutMs;
  }

  /** Takes one token from {@code subject}'s bucket of {@code rpm}; fails if Redis does not answer in time. */
  public Future<Decision> acquire(String subject, int rpm) {
    return acquire(subject, rpm, null);
  }

  /**
   * Takes one token from {@code subject}'s bucket of {@code rpm} and, when {@code budgetKey} is not null, reads that
   * counter in the same call ({@link Decision#tokensUsed}); fails if Redis does not answer in time.
   */
  public Future<Decision> acquire(String subject, int rpm, String budgetKey) {
    String id = subject + '\n' + rpm + '\n' + (budgetKey == null ? "" : budgetKey);
    Promise<Decision> promise = Promise.promise();
    Group group = groups.get(id);
    if (group != null) {
      group.next.add(promise);
      return promise.future();
    }
    group = new Group(subject, rpm, budgetKey);
    groups.put(id, group);
    List<Promise<Decision>> first = new ArrayList<>(1);
    first.add(promise);
    call(id, group, first);
    return promise.future();
  }

  private void call(String id, Group group, List<Promise<Decision>> waiting) {
    send(group, waiting.size()).onComplete(ar -> {
      if (ar.succeeded()) {
        hand(ar.result(), group, waiting);
      } else {
        waiting.forEach(p -> p.fail(ar.cause()));
      }
      if (group.next.isEmpty()) {
        groups.remove(id);
        return;
      }
      List<Promise<Decision>> queued = group.next;
      if (queued.size() <= MAX_GROUP) {
        group.next = new ArrayList<>();
      } else {
        group.next = new ArrayList<>(queued.subList(MAX_GROUP, queued.size()));
        queued = queued.subList(0, MAX_GROUP);
      }
      call(id, group, queued);
    });
  }

  private static void hand(Response reply, Group group, List<Promise<Decision>> waiting) {
    int granted = reply.get(0).toInteger();
    long left = reply.get(1).toLong();
    long wait = reply.get(2).toLong();
    long used = reply.get(3).toLong();
    for (int i = 0; i < waiting.size(); i++) {
      // the i-th granted request saw the tokens that the ones after it in the group took still in the bucket
      waiting.get(i).complete(i < granted
        ? new Decision(true, group.rpm, left + granted - 1 - i, 0, used)
        : new Decision(false, group.rpm, 0, wait, used));
    }
  }

  private Future<Response> send(Group group, int requests) {
    Future<Response> reply = loaded
      ? redis.send(evalsha(group, requests))
      : redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT))
        .compose(sha -> {
          loaded = true;
          return redis.send(evalsha(group, requests));
        });
    return reply.recover(failure -> {
        if (failure.getMessage() == null || !failure.getMessage().startsWith("NOSCRIPT")) {
          return Future.failedFuture(failure);
        }
        // Redis restarted or its scripts were flushed: EVAL runs the script and caches it again
        return redis.send(withArgs(Request.cmd(Command.EVAL).arg(SCRIPT), group, requests));
      })
      .timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  private static Request evalsha(Group group, int requests) {
    return withArgs(Request.cmd(Command.EVALSHA).arg(SHA), group, requests);
  }

  private static Request withArgs(Request request, Group group, int requests) {
    request.arg(group.budgetKey == null ? 1 : 2).arg("ganglion:rl:" + group.subject);
    if (group.budgetKey != null) {
      request.arg(group.budgetKey);
    }
    return request.arg(group.rpm).arg(requests);
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
