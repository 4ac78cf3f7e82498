package io.ganglion.config;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The {@code limits} and {@code cors} sections: default per-credential limits, what to do when Redis (which holds the
 * rate-limit buckets) is down, request-shape limits, and allowed CORS origins.
 *
 * @param redisDownLocal      for non-admin credentials: true = fall back to per-node buckets, false = 503
 * @param adminRedisDownLocal the same for admin credentials
 */
public record LimitsConfig(int defaultRpm, long defaultTokensPerDay, boolean redisDownLocal, boolean adminRedisDownLocal,
                           int maxJsonDepth, List<String> corsOrigins) {

  public static LimitsConfig from(JsonObject root) {
    ConfigReader limits = new ConfigReader(root, "").child("limits");
    ConfigReader cors = new ConfigReader(root, "").child("cors");
    return new LimitsConfig(
      limits.integer("defaultRpm", 0, 0, 10_000_000),
      limits.longValue("defaultTokensPerDay", 0, 0, Long.MAX_VALUE),
      limits.oneOf("redisDown", "local", "local", "fail-closed").equals("local"),
      limits.oneOf("adminRedisDown", "fail-closed", "local", "fail-closed").equals("local"),
      limits.integer("maxJsonDepth", 64, 2, 1000),
      cors.strings("origins"));
  }
}
