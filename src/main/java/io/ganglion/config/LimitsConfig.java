package io.ganglion.config;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The {@code limits} and {@code cors} sections: default per-credential limits, what to do when Redis (which holds the
 * rate-limit buckets) is down, how many permits an event loop leases from a bucket at once, request-shape limits, and
 * allowed CORS origins.
 *
 * @param redisDownLocal      for non-admin credentials: true = fall back to per-node buckets, false = 503
 * @param adminRedisDownLocal the same for admin credentials
 * @param leasePermits        most permits one Redis call leases from a bucket for later requests of the same
 *                            credential (a lease is also at most 1/{@value #LEASE_SHARE} of the limit); 1 = none
 * @param leaseMs             how long leased permits stay usable; unused ones are then dropped
 */
public record LimitsConfig(int defaultRpm, long defaultTokensPerDay, boolean redisDownLocal, boolean adminRedisDownLocal,
                           int maxJsonDepth, List<String> corsOrigins, int leasePermits, long leaseMs) {

  /** A lease holds at most this fraction (1/n) of a credential's requests per minute. */
  public static final int LEASE_SHARE = 1000;

  /** Without leases (every request asks Redis), as before they existed. */
  public LimitsConfig(int defaultRpm, long defaultTokensPerDay, boolean redisDownLocal, boolean adminRedisDownLocal,
                      int maxJsonDepth, List<String> corsOrigins) {
    this(defaultRpm, defaultTokensPerDay, redisDownLocal, adminRedisDownLocal, maxJsonDepth, corsOrigins, 1, 1000);
  }

  public static LimitsConfig from(JsonObject root) {
    ConfigReader limits = new ConfigReader(root, "").child("limits");
    ConfigReader cors = new ConfigReader(root, "").child("cors");
    return new LimitsConfig(
      limits.integer("defaultRpm", 0, 0, 10_000_000),
      limits.longValue("defaultTokensPerDay", 0, 0, Long.MAX_VALUE),
      limits.oneOf("redisDown", "local", "local", "fail-closed").equals("local"),
      limits.oneOf("adminRedisDown", "fail-closed", "local", "fail-closed").equals("local"),
      limits.integer("maxJsonDepth", 64, 2, 1000),
      cors.strings("origins"),
      limits.integer("leasePermits", 1024, 1, 4096),
      limits.longValue("leaseMs", 1000, 10, 60_000));
  }

  /** The permits one Redis call leases for a limit of {@code rpm}: at most {@link #leasePermits}, at least 1. */
  public int leaseFor(int rpm) {
    return Math.max(1, Math.min(leasePermits, rpm / LEASE_SHARE));
  }
}
