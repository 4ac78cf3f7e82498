package io.ganglion.http.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;

/**
 * Per-node token buckets, the fallback when Redis is unreachable and the policy is {@code local}: each node enforces
 * the capacity it is given on its own ({@link RateLimits} gives it the key's limit divided by the live members, so N
 * nodes together admit about the limit, not N times it).
 */
public final class LocalBuckets {

  private static final class Bucket {
    private double tokens;
    private long updatedNanos;

    Bucket(int capacity) {
      tokens = capacity;
      updatedNanos = System.nanoTime();
    }
  }

  private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
    .maximumSize(100_000)
    .expireAfterAccess(Duration.ofMinutes(2))
    .build();

  public RateLimiter.Decision acquire(String subject, int rpm) {
    Bucket bucket = buckets.get(subject, s -> new Bucket(rpm));
    synchronized (bucket) {
      long now = System.nanoTime();
      double perNano = rpm / 60e9;
      bucket.tokens = Math.min(rpm, bucket.tokens + (now - bucket.updatedNanos) * perNano);
      bucket.updatedNanos = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return new RateLimiter.Decision(true, rpm, (long) bucket.tokens, 0);
      }
      long waitMs = (long) Math.ceil((1 - bucket.tokens) / perNano / 1e6);
      return new RateLimiter.Decision(false, rpm, 0, waitMs);
    }
  }
}
