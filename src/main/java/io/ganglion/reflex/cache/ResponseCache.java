package io.ganglion.reflex.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ganglion.bus.ErrorCode;
import io.ganglion.reflex.ReflexCacheConfig;
import io.ganglion.reflex.ReflexAnswer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Answers by key: L1 in process (Caffeine, {@code maxEntries}, expiring {@code ttlSeconds} after write), L2 in Redis
 * ({@code SET ... EX ttlSeconds}, shared by every node), and at most one computation per key in flight.
 * <p>
 * Redis is an optimisation, never a dependency: a Redis error or an answer slower than {@code redisTimeoutMs} counts
 * as a miss, Redis is then left alone for {@value #REDIS_BACKOFF_MS} ms so misses do not each wait for it, and a
 * warning is logged at most every {@value #WARN_EVERY_MS} ms. L1 hits never touch Redis.
 * <p>
 * Every entry carries the version of the reflex policy it was computed under ({@code policy}: PII actions, injection
 * thresholds, detector versions...; in Redis a first line before the answer JSON). An entry of another policy — cached
 * before a restart with a new configuration, or by a node configured differently — is re-inspected before it is
 * served (the {@code revalidate} function of {@link #get}): kept and stamped with the current policy, or dropped and
 * computed again.
 * <p>
 * <b>NOTE</b>: confined to the reflex verticle's event loop (the in-flight map is a plain {@link HashMap}).
 */
public final class ResponseCache {

  static final long REDIS_BACKOFF_MS = 5_000;
  static final long WARN_EVERY_MS = 30_000;
  private static final String PREFIX = "ganglion:cache:";
  private static final Logger LOG = LoggerFactory.getLogger(ResponseCache.class);

  private final ReflexCacheConfig config;
  private final Redis redis;
  private final String policy;
  private final byte[] policyLine;
  private final Cache<String, Entry> l1;
  private final Map<String, Future<ReflexAnswer>> inFlight = new HashMap<>();
  private final Counter l1Hits;
  private final Counter l2Hits;
  private final Counter sharedHits;
  private final Counter misses;
  private final Counter redisErrors;
  private final MeterRegistry meters;
  private long redisDownUntil;
  private long lastWarning = -WARN_EVERY_MS;

  /** A cached answer and the reflex policy it was computed under. */
  record Entry(ReflexAnswer answer, String policy) {
  }

  /** @param policy the current reflex policy's version: answers are stored under it and entries of others re-inspected */
  public ResponseCache(ReflexCacheConfig config, Redis redis, MeterRegistry meters, String policy) {
    if (policy.indexOf('\n') >= 0 || policy.startsWith("{")) {
      throw new IllegalArgumentException("a policy version is one line and does not start with '{'");
    }
    this.config = config;
    this.redis = redis;
    this.meters = meters;
    this.policy = policy;
    this.policyLine = (policy + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    this.l1 = Caffeine.newBuilder().maximumSize(config.maxEntries())
      .expireAfterWrite(Duration.ofSeconds(config.ttlSeconds())).build();
    String hits = "ganglion.reflex.cache.hits";
    l1Hits = Counter.builder(hits).tag("layer", "l1").description("answers served from the cache").register(meters);
    l2Hits = Counter.builder(hits).tag("layer", "l2").description("answers served from the cache").register(meters);
    sharedHits = Counter.builder(hits).tag("layer", "inflight").description("answers served from the cache")
      .register(meters);
    misses = Counter.builder("ganglion.reflex.cache.misses").description("cacheable answers computed").register(meters);
    redisErrors = Counter.builder("ganglion.reflex.cache.redis.errors").description("L2 reads and writes that failed")
      .register(meters);
    meters.gauge("ganglion.reflex.cache.hit.ratio", this, ResponseCache::hitRatio);
    meters.gauge("ganglion.reflex.cache.entries", l1, Cache::estimatedSize);
  }

  /**
   * The in-process answer for {@code key} when it was computed under the current policy, or {@code null} (then
   * {@link #get} finds, re-inspects or computes it); counts a hit when there is one.
   */
  public ReflexAnswer cached(String key) {
    Entry entry = l1.getIfPresent(key);
    if (entry == null || !entry.policy().equals(policy)) {
      return null;
    }
    l1Hits.increment();
    return entry.answer();
  }

  /**
   * The answer for {@code key}: from L1, else from L2, else from an identical computation already in flight, else
   * from {@code compute} — which then runs once for every caller that asks meanwhile. A computed answer is stored
   * when {@code store} says so. Callers that shared a computation get its answer as {@link ReflexAnswer.Source#CACHE};
   * when it failed with a 4xx code they get that failure, otherwise they compute on their own (the first caller's
   * failure may be its own: a cancellation, its deadline).
   * <p>
   * An entry of another policy is passed to {@code revalidate} first: {@code true} serves it (and stores it under the
   * current policy), {@code false} drops it and computes the answer again, a failure (a question the policy now blocks)
   * is the caller's.
   */
  public Future<ReflexAnswer> get(String key, Supplier<Future<ReflexAnswer>> compute,
                                  java.util.function.Predicate<ReflexAnswer> store,
                                  Function<ReflexAnswer, Future<Boolean>> revalidate) {
    Entry entry = l1.getIfPresent(key);
    if (entry != null && entry.policy().equals(policy)) {
      l1Hits.increment();
      return Future.succeededFuture(entry.answer());
    }
    Future<ReflexAnswer> running = inFlight.get(key);
    if (running != null) {
      return running.transform(ar -> {
        if (ar.succeeded()) {
          sharedHits.increment();
          Entry stored = l1.getIfPresent(key);
          return Future.succeededFuture(stored != null ? stored.answer() : replayable(ar.result()));
        }
        return ErrorCode.of(ar.cause()).status() < 500 ? Future.failedFuture(ar.cause()) : miss(key, compute, store);
      });
    }
    Future<Entry> found = entry != null ? Future.succeededFuture(entry) : fromRedis(key);
    Future<ReflexAnswer> leader = found.compose(e -> {
      if (e == null) {
        return miss(key, compute, store);
      }
      if (e.policy().equals(policy)) {
        return Future.succeededFuture(e.answer());
      }
      return revalidate.apply(e.answer()).transform(ar -> {
        if (ar.failed()) {
          revalidated("blocked");
          return Future.failedFuture(ar.cause());
        }
        if (ar.result()) {
          revalidated("kept");
          put(key, e.answer());
          return Future.succeededFuture(e.answer());
        }
        revalidated("recomputed");
        l1.invalidate(key);
        return miss(key, compute, store);
      });
    });
    inFlight.put(key, leader);
    return leader.andThen(ar -> inFlight.remove(key));
  }

  private Future<ReflexAnswer> miss(String key, Supplier<Future<ReflexAnswer>> compute,
                                    java.util.function.Predicate<ReflexAnswer> store) {
    misses.increment();
    return compute.get().onSuccess(answer -> {
      if (store.test(answer)) {
        put(key, answer);
      }
    });
  }

  private void revalidated(String outcome) {
    meters.counter("ganglion.reflex.cache.revalidated", "outcome", outcome).increment();
  }

  /** Stores {@code answer} (as it should be replayed) under {@code key} in both layers, under the current policy. */
  public void put(String key, ReflexAnswer answer) {
    ReflexAnswer cached = replayable(answer);
    l1.put(key, new Entry(cached, policy));
    if (redisUsable()) {
      byte[] body = cached.bytes();
      byte[] value = java.util.Arrays.copyOf(policyLine, policyLine.length + body.length);
      System.arraycopy(body, 0, value, policyLine.length, body.length);
      redis.send(Request.cmd(Command.SET).arg(PREFIX + key).arg(value).arg("EX").arg(config.ttlSeconds()))
        .timeout(config.redisTimeoutMs(), TimeUnit.MILLISECONDS)
        .onFailure(this::redisFailed);
    }
  }

  /**
   * The answer as a hit replays it: the same answer, trace and citations, but no conversation (a hit starts none;
   * the conversation of the answer that was cached belongs to whoever asked first).
   */
  static ReflexAnswer replayable(ReflexAnswer answer) {
    if (answer.source() == ReflexAnswer.Source.CACHE) {
      return answer;
    }
    JsonObject json = answer.json().copy();
    if (json.containsKey("conversationId")) {
      json.putNull("conversationId");
    }
    return ReflexAnswer.of(ReflexAnswer.Source.CACHE, null, json);
  }

  private Future<Entry> fromRedis(String key) {
    if (!redisUsable()) {
      return Future.succeededFuture();
    }
    return redis.send(Request.cmd(Command.GET).arg(PREFIX + key))
      .timeout(config.redisTimeoutMs(), TimeUnit.MILLISECONDS)
      .map(reply -> {
        if (reply == null) {
          return (Entry) null;
        }
        Entry entry = decode(reply.toBuffer());
        if (entry.policy().equals(policy)) {
          l1.put(key, entry);
        }
        l2Hits.increment();
        return entry;
      })
      .recover(failure -> {
        redisFailed(failure);
        return Future.succeededFuture();
      });
  }

  /** {@code <policy>\n<answer JSON>}; a value without the policy line (written before it existed) has policy "". */
  static Entry decode(Buffer value) {
    int newline = -1;
    if (value.length() > 0 && value.getByte(0) != '{') {
      for (int i = 0; i < value.length(); i++) {
        if (value.getByte(i) == '\n') {
          newline = i;
          break;
        }
      }
    }
    String policy = newline < 0 ? "" : value.getString(0, newline, "UTF-8");
    byte[] json = value.getBytes(newline + 1, value.length());
    return new Entry(ReflexAnswer.decoded(ReflexAnswer.Source.CACHE, json), policy);
  }

  private boolean redisUsable() {
    return System.currentTimeMillis() >= redisDownUntil;
  }

  private void redisFailed(Throwable failure) {
    redisErrors.increment();
    long now = System.currentTimeMillis();
    redisDownUntil = now + REDIS_BACKOFF_MS;
    if (now - lastWarning >= WARN_EVERY_MS) {
      lastWarning = now;
      LOG.warn("Redis (L2 answer cache) failed, serving from the in-process cache only for now: {}", failure.toString());
    }
  }

  /** Answers in process. */
  public long size() {
    return l1.estimatedSize();
  }

  private double hitRatio() {
    double hits = l1Hits.count() + l2Hits.count() + sharedHits.count();
    double all = hits + misses.count();
    return all == 0 ? 0 : hits / all;
  }
}
