package io.ganglion.config;

import io.vertx.core.json.JsonObject;

import java.nio.file.Path;

/**
 * The whole configuration, validated once at start. Each verticle also receives its own section as its deployment
 * config and parses its own record from it.
 *
 * @param busTimeoutMs the deadline of one event-bus hop when the caller sets none
 */
public record GanglionConfig(JsonObject tree, Path dataDir, HttpConfig http, PostgresConfig postgres,
                             RedisConfig redis, AuthConfig auth, LimitsConfig limits, long busTimeoutMs) {

  public static GanglionConfig from(JsonObject tree) {
    ConfigReader root = new ConfigReader(tree, "");
    return new GanglionConfig(
      tree,
      Path.of(root.string("dataDir", "./data")).toAbsolutePath().normalize(),
      HttpConfig.from(root.child("http").raw()),
      PostgresConfig.from(root.child("postgres").raw()),
      RedisConfig.from(root.child("redis").raw()),
      AuthConfig.from(tree),
      LimitsConfig.from(tree),
      root.child("bus").longValue("timeoutMs", 10_000, 10, 600_000));
  }

  /** The same configuration with the stores' final URLs (after embedded servers have started). */
  public GanglionConfig withStores(PostgresConfig postgres, RedisConfig redis) {
    JsonObject updated = tree.copy();
    updated.getJsonObject("postgres", new JsonObject()).put("url", postgres.url());
    updated.getJsonObject("redis", new JsonObject()).put("url", redis.url());
    return new GanglionConfig(updated, dataDir, http, postgres, redis, auth, limits, busTimeoutMs);
  }
}
