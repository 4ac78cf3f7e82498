package io.ganglion.webhooks;

import io.ganglion.config.ConfigReader;
import io.vertx.core.json.JsonObject;

/**
 * The {@code webhooks} section.
 *
 * @param enabled             whether this node delivers (any node may; deliveries are claimed one node at a time)
 * @param allowPrivateTargets whether webhook URLs may resolve to loopback, private or link-local addresses (tests, an
 *                            intranet deployment); checked at registration and again at every attempt
 * @param pollMs              how often a node looks for due deliveries when the last look found none
 * @param batchSize           most deliveries one node claims at once
 * @param concurrency         most attempts in flight on one node
 * @param timeoutMs           one attempt's deadline (connect, silence, and the whole exchange)
 * @param maxAttempts         attempts before a delivery is given up ({@code failed})
 * @param initialBackoffMs    wait after the first failed attempt; it doubles after each later one
 * @param maxBackoffMs        the longest wait between two attempts
 * @param maxPerTenant        most webhooks one tenant may register
 * @param maxGraceSeconds     the longest grace period a secret rotation may ask for
 */
public record WebhooksConfig(boolean enabled, boolean allowPrivateTargets, long pollMs, int batchSize, int concurrency,
                             long timeoutMs, int maxAttempts, long initialBackoffMs, long maxBackoffMs,
                             int maxPerTenant, long maxGraceSeconds) {

  public static WebhooksConfig from(JsonObject webhooks) {
    ConfigReader r = new ConfigReader(webhooks == null ? new JsonObject() : webhooks, "webhooks");
    long initial = r.longValue("initialBackoffMs", 10_000, 10, 86_400_000);
    return new WebhooksConfig(r.bool("enabled", true), r.bool("allowPrivateTargets", false),
      r.longValue("pollMs", 1_000, 10, 600_000), r.integer("batchSize", 32, 1, 1_000),
      r.integer("concurrency", 16, 1, 1_000), r.longValue("timeoutMs", 10_000, 100, 300_000),
      r.integer("maxAttempts", 8, 1, 100), initial, r.longValue("maxBackoffMs", 3_600_000, initial, 7L * 86_400_000),
      r.integer("maxPerTenant", 25, 1, 10_000), r.longValue("maxGraceSeconds", 7L * 86_400, 0, 90L * 86_400));
  }

  /** The wait after failed attempt number {@code attempt} (from 1): doubling from the initial backoff, capped. */
  public long backoffMs(int attempt) {
    long wait = initialBackoffMs;
    for (int i = 1; i < attempt && wait < maxBackoffMs; i++) {
      wait *= 2;
    }
    return Math.min(wait, maxBackoffMs);
  }
}
