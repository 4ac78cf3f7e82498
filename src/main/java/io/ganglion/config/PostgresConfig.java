package io.ganglion.config;

import io.vertx.core.json.JsonObject;

/**
 * The {@code postgres} section. An empty {@code url} means: start an embedded PostgreSQL under the data directory.
 * {@code readTimeoutMs}: a connection that receives nothing for this long is closed, so a query caught in a network
 * partition fails (503) instead of hanging; idle pooled connections are replaced at that age too.
 */
public record PostgresConfig(String url, int poolSize, long connectTimeoutMs, long readTimeoutMs) {

  public static PostgresConfig from(JsonObject postgres) {
    ConfigReader r = new ConfigReader(postgres, "postgres");
    String url = r.string("url", "");
    if (!url.isEmpty() && !url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
      throw new ConfigException("postgres.url", "must start with postgresql://, got '" + url + "'");
    }
    return new PostgresConfig(url, r.integer("poolSize", 8, 1, 512), r.longValue("connectTimeoutMs", 5000, 100, 600_000),
      r.longValue("readTimeoutMs", 30_000, 100, 3_600_000));
  }

  public boolean embedded() {
    return url.isEmpty();
  }

  /** The same settings pointing at {@code url} (used once an embedded server has a port). */
  public PostgresConfig withUrl(String url) {
    return new PostgresConfig(url, poolSize, connectTimeoutMs, readTimeoutMs);
  }
}
