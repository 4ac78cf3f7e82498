package io.ganglion.store;

import io.ganglion.config.ConfigReader;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code retention} section: how old rows of each {@link RetentionRule} may get, in days (0 = kept forever, the
 * default for every table: nothing is deleted until an operator says so), how often the purge runs, and how many rows
 * one delete statement removes.
 */
public record RetentionConfig(Map<RetentionRule, Integer> days, long intervalMs, int batchSize) {

  public static RetentionConfig from(JsonObject retention) {
    ConfigReader r = new ConfigReader(retention, "retention");
    Map<RetentionRule, Integer> days = new LinkedHashMap<>();
    for (RetentionRule rule : RetentionRule.ALL) {
      days.put(rule, r.integer(rule.setting(), 0, 0, 36_500));
    }
    return new RetentionConfig(Map.copyOf(days), r.longValue("intervalMs", 3_600_000, 1000, 7L * 24 * 3_600_000),
      r.integer("batchSize", 5000, 1, 1_000_000));
  }

  /** Whether any table has an age limit. */
  public boolean enabled() {
    return days.values().stream().anyMatch(d -> d > 0);
  }
}
