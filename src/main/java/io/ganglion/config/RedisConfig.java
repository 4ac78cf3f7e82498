package io.ganglion.config;

import io.vertx.core.json.JsonObject;

/** The {@code redis} section. An empty {@code url} means: start an embedded Redis on a loopback port. */
public record RedisConfig(String url, int poolSize, long connectTimeoutMs) {

  public static RedisConfig from(JsonObject redis) {
    ConfigReader r = new ConfigReader(redis, "redis");
    String url = r.string("url", "");
    if (!url.isEmpty() && !url.startsWith("redis://") && !url.startsWith("rediss://") && !url.startsWith("unix://")) {
      throw new ConfigException("redis.url", "must start with redis:// or rediss://, got '" + url + "'");
    }
    return new RedisConfig(url, r.integer("poolSize", 8, 1, 512), r.longValue("connectTimeoutMs", 5000, 100, 600_000));
  }

  public boolean embedded() {
    return url.isEmpty();
  }

  public RedisConfig withUrl(String url) {
    return new RedisConfig(url, poolSize, connectTimeoutMs);
  }
}
