package io.ganglion.config;

import io.vertx.core.json.JsonObject;

/**
 * The {@code postgres} section. An empty {@code url} means: start an embedded PostgreSQL under the data directory.
 * {@code queryTimeoutMs}: a statement or transaction PostgreSQL has not answered within this long fails as unavailable
 * (503), so a request caught in a network partition does not hang.
 */
public record PostgresConfig(String url, int poolSize, long connectTimeoutMs, long queryTimeoutMs) {

  public static PostgresConfig from(JsonObject postgres) {
    ConfigReader r = new ConfigReader(postgres, "postgres");
    String url = r.string("url", "");
    if (!url.isEmpty() && !url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
      throw new ConfigException("postgres.url", "must start with postgresql://, got '" + url + "'");
    }
    return new PostgresConfig(url, r.integer("poolSize", 8, 1, 512), r.longValue("connectTimeoutMs", 5000, 100, 600_000),
      r.longValue("queryTimeoutMs", 30_000, 100, 3_600_000));
  }

  public boolean embedded() {
    return url.isEmpty();
  }

  /** The same settings pointing at {@code url} (used once an embedded server has a port). */
  public PostgresConfig withUrl(String url) {
    return new PostgresConfig(url, poolSize, connectTimeoutMs, queryTimeoutMs);
  }
}
