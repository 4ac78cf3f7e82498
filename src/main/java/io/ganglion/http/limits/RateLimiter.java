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
import java.util.function.IntUnaryOperator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

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
 * <b>Leases.</b> A call may take more tokens than it has requests: up to {@code lease(rpm)} (see
 * {@link io.ganglion.config.LimitsConfig#leaseFor}), kept here as permits for the credential's next requests, which
 * then need no Redis call at all, for {@code leaseMs} after the call that last took them; permits left unused then are
 * dropped. Once half a lease is used, a call in the background tops the permits up to a whole lease again (when the
 * previous call got all it asked for), so a steady stream of requests never waits for Redis; held permits never exceed
 * one lease. The tokens leave the
 * shared bucket when they are leased, so the limit stays global across nodes: over any window an event loop can admit
 * at most one lease more than the bucket gave in that window (permits leased just before it), and leave at most one
 * lease unused (dropped). A credential's other limit (a changed {@code rpm}) or another day's budget is another lease,
 * taken at its next request. The day's token count a lease read is reported with the tokens this node has charged
 * since ({@code charged}), so a node sees its own spending at once and other nodes' within {@code leaseMs}.
 * <p>
 * <b>NOTE</b>: confined to one event loop (the HTTP verticle instance that owns it); the leases live in a plain map.
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

  /** Most waiting requests one call takes tokens for; more wait for the next call. */
  static final int MAX_GROUP = 512;
  /** Leases kept before expired ones are swept out. */
  static final int SWEEP_AT = 10_000;

  // KEYS[1] the bucket, KEYS[2] (optional) the day's generation-token counter; ARGV[1] rpm, ARGV[2] tokens wanted.
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
  private final IntUnaryOperator leaseFor;
  private final long leaseNanos;
  private final Function<String, AtomicLong> charged;
  private final Map<LeaseId, Lease> leases = new HashMap<>();
  /** The lease looked up last: a hot credential's requests find it without building and hashing a map key. */
  private Lease recent;
  private boolean loaded;

  /** A credential's bucket at one limit, with or without a budget key. */
  private record LeaseId(String subject, int rpm, String budgetKey) {
  }

  /** One credential's bucket as this event loop sees it: the requests waiting for the call in flight, leased permits. */
  private static final class Lease {
    final LeaseId id;
    final String subject;
    final int rpm;
    final String budgetKey;
    final int size;
    List<Promise<Decision>> waiting = new ArrayList<>();
    boolean inFlight;
    /** Whether the last call got every token it asked for: then the permits are topped up before they run out. */
    boolean topUp;
    long permits;
    long expiresNanos;
    long bucketLeft;
    long used = -1;
    long chargedAtRead;
    AtomicLong charges;

    Lease(LeaseId id, int size) {
      this.id = id;
      this.subject = id.subject();
      this.rpm = id.rpm();
      this.budgetKey = id.budgetKey();
      this.size = size;
    }

    boolean usable(long now) {
      return permits > 0 && now - expiresNanos < 0;
    }
  }

  /** Without leases: every request (or group of concurrent ones) is one Redis call. */
  public RateLimiter(Redis redis, long timeoutMs) {
    this(redis, timeoutMs, rpm -> 1, 1_000, key -> new AtomicLong());
  }

  /**
   * @param leaseFor permits one call takes for a limit of {@code rpm} (1 = no lease)
   * @param leaseMs  how long leased permits stay usable
   * @param charged  the running total of generation tokens this node charges to a budget key (monotonic)
   */
  public RateLimiter(Redis redis, long timeoutMs, IntUnaryOperator leaseFor, long leaseMs,
                     Function<String, AtomicLong> charged) {
    this.redis = redis;
    this.timeoutMs = timeoutMs;
    this.leaseFor = leaseFor;
    this.leaseNanos = TimeUnit.MILLISECONDS.toNanos(leaseMs);
    this.charged = charged;
  }

  /** Takes one token from {@code subject}'s bucket of {@code rpm}; fails if Redis does not answer in time. */
  public Future<Decision> acquire(String subject, int rpm) {
    return acquire(subject, rpm, null);
  }

  /**
   * Takes one token from {@code subject}'s bucket of {@code rpm} (a leased permit when there is one) and, when
   * {@code budgetKey} is not null, reads that counter in the same call ({@link Decision#tokensUsed}); fails if Redis
   * does not answer in time.
   */
  public Future<Decision> acquire(String subject, int rpm, String budgetKey) {
    Lease lease = find(subject, rpm, budgetKey);
    LeaseId id = lease == null ? new LeaseId(subject, rpm, budgetKey) : lease.id;
    if (lease == null) {
      if (leases.size() >= SWEEP_AT) {
        sweep();
      }
      lease = new Lease(id, Math.max(1, leaseFor.applyAsInt(rpm)));
      leases.put(id, lease);
    } else if (lease.waiting.isEmpty() && lease.usable(System.nanoTime())) {
      return Future.succeededFuture(take(lease));
    }
    Promise<Decision> promise = Promise.promise();
    lease.waiting.add(promise);
    if (!lease.inFlight) {
      call(lease);
    }
    return promise.future();
  }

  /**
   * A permit from the lease this event loop holds for {@code subject} at {@code rpm}, decided now; {@code null} when
   * there is none (then {@link #acquire} asks Redis).
   */
  public Decision leased(String subject, int rpm, String budgetKey) {
    Lease lease = find(subject, rpm, budgetKey);
    return lease != null && lease.waiting.isEmpty() && lease.usable(System.nanoTime()) ? take(lease) : null;
  }

  private Lease find(String subject, int rpm, String budgetKey) {
    Lease lease = recent;
    if (lease != null && lease.rpm == rpm && lease.subject.equals(subject)
      && java.util.Objects.equals(lease.budgetKey, budgetKey)) {
      return lease;
    }
    lease = leases.get(new LeaseId(subject, rpm, budgetKey));
    if (lease != null) {
      recent = lease;
    }
    return lease;
  }

  /** The permits this event loop holds for {@code subject} at {@code rpm} now, usable or not (for tests). */
  long held(String subject, int rpm, String budgetKey) {
    Lease lease = find(subject, rpm, budgetKey);
    return lease == null ? 0 : lease.permits;
  }

  /**
   * One leased permit. Once half the lease is used (and the last call got all it asked for), a call tops the permits
   * up to a whole lease again, in the background: the credential's requests keep taking the permits left meanwhile,
   * so a steady stream of them never waits for Redis. Held permits never exceed one lease.
   */
  private Decision take(Lease lease) {
    lease.permits--;
    Decision decision = new Decision(true, lease.rpm, lease.bucketLeft + lease.permits, 0, used(lease));
    if (lease.topUp && !lease.inFlight && lease.size > 1 && lease.permits <= lease.size / 2) {
      call(lease);
    }
    return decision;
  }

  private void call(Lease lease) {
    List<Promise<Decision>> batch = lease.waiting;
    if (batch.size() <= MAX_GROUP) {
      lease.waiting = new ArrayList<>();
    } else {
      lease.waiting = new ArrayList<>(batch.subList(MAX_GROUP, batch.size()));
      batch = batch.subList(0, MAX_GROUP);
    }
    List<Promise<Decision>> group = batch;
    lease.inFlight = true;
    if (!lease.usable(System.nanoTime())) {
      lease.permits = 0; // expired permits are dropped
    }
    // a top-up (no one waiting) asks for what the lease lacks, so held permits stay within one lease
    int want = (int) Math.max(lease.size - lease.permits, group.size());
    send(lease, want).onComplete(ar -> {
      lease.inFlight = false;
      if (ar.succeeded()) {
        hand(ar.result(), lease, group, want);
      } else {
        lease.topUp = false;
        group.forEach(p -> p.fail(ar.cause()));
      }
      // requests that came meanwhile take what this call leased, in order; the rest go in the next call
      long now = System.nanoTime();
      while (!lease.waiting.isEmpty() && lease.usable(now)) {
        lease.waiting.remove(0).complete(take(lease));
      }
      if (lease.inFlight) {
        return; // a top-up the drain started serves the rest
      }
      if (!lease.waiting.isEmpty()) {
        call(lease);
      } else if (lease.permits == 0) {
        forget(lease);
      }
    });
  }

  private void hand(Response reply, Lease lease, List<Promise<Decision>> waiting, int want) {
    int granted = reply.get(0).toInteger();
    long left = reply.get(1).toLong();
    long wait = reply.get(2).toLong();
    lease.used = reply.get(3).toLong();
    if (lease.budgetKey != null) {
      lease.charges = charged.apply(lease.budgetKey);
      lease.chargedAtRead = lease.charges.get();
    }
    lease.bucketLeft = left;
    long used = used(lease);
    for (int i = 0; i < waiting.size(); i++) {
      // the i-th granted request saw the tokens that the ones after it in the group took still in the bucket
      waiting.get(i).complete(i < granted
        ? new Decision(true, lease.rpm, left + granted - 1 - i, 0, used)
        : new Decision(false, lease.rpm, 0, wait, used));
    }
    lease.permits += Math.max(0, granted - waiting.size());
    lease.expiresNanos = System.nanoTime() + leaseNanos;
    lease.topUp = granted >= want;
  }

  /** The day's token count the lease read, plus what this node charged since; -1 without a budget. */
  private long used(Lease lease) {
    if (lease.used < 0 || lease.charges == null) {
      return lease.used;
    }
    return lease.used + Math.max(0, lease.charges.get() - lease.chargedAtRead);
  }

  private void forget(Lease lease) {
    leases.remove(lease.id);
    if (recent == lease) {
      recent = null;
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    leases.values().removeIf(l -> !l.inFlight && l.waiting.isEmpty() && !l.usable(now));
    recent = null;
  }

  private Future<Response> send(Lease group, int requests) {
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

  private static Request evalsha(Lease group, int requests) {
    return withArgs(Request.cmd(Command.EVALSHA).arg(SHA), group, requests);
  }

  private static Request withArgs(Request request, Lease group, int requests) {
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
