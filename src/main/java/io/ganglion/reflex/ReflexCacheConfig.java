package io.ganglion.reflex;

import io.ganglion.config.ConfigReader;
import io.vertx.core.json.JsonObject;

/**
 * The response cache of the reflex verticle ({@code reflex.cache}): answers of {@code POST /v1/kbs/{kb}/ask} and
 * {@code POST /v1/chat/completions}, in process (Caffeine) and in Redis, keyed by tenant, knowledge base and its
 * version, generator settings and the normalised question.
 *
 * @param enabled        whether answers are cached at all ({@code reflex.cache.enabled})
 * @param ttlSeconds     how long an answer is served from the cache, in both layers ({@code reflex.cache.ttlSeconds})
 * @param maxEntries     answers kept in process, least recently used leave first ({@code reflex.cache.maxEntries})
 * @param redisTimeoutMs a Redis answer slower than this counts as Redis down ({@code reflex.cache.redisTimeoutMs})
 */
public record ReflexCacheConfig(boolean enabled, long ttlSeconds, int maxEntries, long redisTimeoutMs) {

  /** Parses {@code reflex.cache} from the {@code reflex} object ({@code null}: defaults). */
  public static ReflexCacheConfig from(JsonObject reflex) {
    ConfigReader r = new ConfigReader(reflex, "reflex").child("cache");
    return new ReflexCacheConfig(
      r.bool("enabled", true),
      r.longValue("ttlSeconds", 300, 1, 7 * 24 * 3600),
      r.integer("maxEntries", 10_000, 1, 10_000_000),
      r.longValue("redisTimeoutMs", 100, 1, 10_000));
  }
}
