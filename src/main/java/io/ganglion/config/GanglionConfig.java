package io.ganglion.config;

import io.vertx.core.json.JsonObject;

import java.nio.file.Path;

/**
 * The whole configuration, validated once at start. Each verticle also receives its own section as its deployment
 * config and parses its own record from it.
 *
 * @param busTimeoutMs the deadline of one event-bus hop when the caller sets none
 * @param cluster      whether and how this node joins a cluster
 */
public record GanglionConfig(JsonObject tree, Path dataDir, HttpConfig http, PostgresConfig postgres,
                             RedisConfig redis, AuthConfig auth, LimitsConfig limits, long busTimeoutMs,
                             ClusterConfig cluster) {

  public static GanglionConfig from(JsonObject tree) {
    ConfigReader root = new ConfigReader(tree, "");
    PostgresConfig postgres = PostgresConfig.from(root.child("postgres").raw());
    RedisConfig redis = RedisConfig.from(root.child("redis").raw());
    ClusterConfig cluster = ClusterConfig.from(root.child("cluster").raw());
    if (cluster.enabled() && (postgres.embedded() || redis.embedded())) {
      // embedded stores live inside one node: the others could not share them
      throw new ConfigException("cluster.enabled", "a cluster needs external PostgreSQL and Redis shared by every node:"
        + " set postgres.url and redis.url (" + (postgres.embedded() ? "postgres.url" : "redis.url") + " is empty)");
    }
    return new GanglionConfig(
      tree,
      Path.of(root.string("dataDir", "./data")).toAbsolutePath().normalize(),
      HttpConfig.from(root.child("http").raw()),
      postgres,
      redis,
      AuthConfig.from(tree),
      LimitsConfig.from(tree),
      root.child("bus").longValue("timeoutMs", 10_000, 10, 600_000),
      cluster);
  }

  /** The same configuration with the stores' final URLs (after embedded servers have started). */
  public GanglionConfig withStores(PostgresConfig postgres, RedisConfig redis) {
    JsonObject updated = tree.copy();
    updated.getJsonObject("postgres", new JsonObject()).put("url", postgres.url());
    updated.getJsonObject("redis", new JsonObject()).put("url", redis.url());
    return new GanglionConfig(updated, dataDir, http, postgres, redis, auth, limits, busTimeoutMs, cluster);
  }
}
