package io.ganglion.reflex.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ganglion.bus.ErrorCode;
import io.ganglion.reflex.ReflexCacheConfig;
import io.ganglion.reflex.ReflexAnswer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
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
import java.util.function.Supplier;

/**
 * Answers by key: L1 in process (Caffeine, {@code maxEntries}, expiring {@code ttlSeconds} after write), L2 in Redis
 * ({@code SET ... EX ttlSeconds}, shared by every node), and at most one computation per key in flight.
 * <p>
 * Redis is an optimisation, never a dependency: a Redis error or an answer slower than {@code redisTimeoutMs} counts
 * as a miss, Redis is then left alone for {@value #REDIS_BACKOFF_MS} ms so misses do not each wait for it, and a
 * warning is logged at most every {@value #WARN_EVERY_MS} ms. L1 hits never touch Redis.
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
  private final Cache<String, ReflexAnswer> l1;
  private final Map<String, Future<ReflexAnswer>> inFlight = new HashMap<>();
  private final Counter l1Hits;
  private final Counter l2Hits;
  private final Counter sharedHits;
  private final Counter misses;
  private final Counter redisErrors;
  private long redisDownUntil;
  private long lastWarning = -WARN_EVERY_MS;

  public ResponseCache(ReflexCacheConfig config, Redis redis, MeterRegistry meters) {
    this.config = config;
    this.redis = redis;
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

  /** The in-process answer for {@code key}, or {@code null}; counts a hit when there is one. */
  public ReflexAnswer cached(String key) {
    ReflexAnswer answer = l1.getIfPresent(key);
    if (answer != null) {
      l1Hits.increment();
    }
    return answer;
  }

  /**
   * The answer for {@code key}: from L1, else from L2, else from an identical computation already in flight, else
   * from {@code compute} — which then runs once for every caller that asks meanwhile. A computed answer is stored
   * when {@code store} says so. Callers that shared a computation get its answer as {@link ReflexAnswer.Source#CACHE};
   * when it failed with a 4xx code they get that failure, otherwise they compute on their own (the first caller's
   * failure may be its own: a cancellation, its deadline).
   */
  public Future<ReflexAnswer> get(String key, Supplier<Future<ReflexAnswer>> compute,
                                  java.util.function.Predicate<ReflexAnswer> store) {
    ReflexAnswer hit = cached(key);
    if (hit != null) {
      return Future.succeededFuture(hit);
    }
    Future<ReflexAnswer> running = inFlight.get(key);
    if (running != null) {
      return running.transform(ar -> {
        if (ar.succeeded()) {
          sharedHits.increment();
          ReflexAnswer stored = l1.getIfPresent(key);
          return Future.succeededFuture(stored != null ? stored : replayable(ar.result()));
        }
        return ErrorCode.of(ar.cause()).status() < 500 ? Future.failedFuture(ar.cause()) : miss(key, compute, store);
      });
    }
    Future<ReflexAnswer> leader = fromRedis(key).compose(found -> found != null
      ? Future.succeededFuture(found) : miss(key, compute, store));
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

  /** Stores {@code answer} (as it should be replayed) under {@code key} in both layers. */
  public void put(String key, ReflexAnswer answer) {
    ReflexAnswer cached = replayable(answer);
    l1.put(key, cached);
    if (redisUsable()) {
      redis.send(Request.cmd(Command.SET).arg(PREFIX + key).arg(cached.bytes()).arg("EX").arg(config.ttlSeconds()))
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

  private Future<ReflexAnswer> fromRedis(String key) {
    if (!redisUsable()) {
      return Future.succeededFuture();
    }
    return redis.send(Request.cmd(Command.GET).arg(PREFIX + key))
      .timeout(config.redisTimeoutMs(), TimeUnit.MILLISECONDS)
      .map(reply -> {
        if (reply == null) {
          return (ReflexAnswer) null;
        }
        ReflexAnswer answer = ReflexAnswer.of(ReflexAnswer.Source.CACHE, null, new JsonObject(reply.toBuffer()));
        l1.put(key, answer);
        l2Hits.increment();
        return answer;
      })
      .recover(failure -> {
        redisFailed(failure);
        return Future.succeededFuture();
      });
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
