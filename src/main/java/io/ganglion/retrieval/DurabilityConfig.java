package io.ganglion.retrieval;

import io.ganglion.config.ConfigReader;
import io.vertx.core.json.JsonObject;

/**
 * How retrieval keeps what it accepted and what it derived, read from the {@code retrieval} section beside
 * {@link RetrievalConfig}: ingestion job leases, snapshots of shard copies, the change log copies catch up from, and the warm-up at start.
 *
 * @param jobLeaseMs          how long a node holds a running ingestion job without renewing its lease; a job whose
 *                            node died is resumed by another node this long after its last renewal (renewed every
 *                            third of it)
 * @param snapshotIntervalMs  how often changed shard copies are written to {@code dataDir/indexes}
 * @param changeLogRetention  versions of each knowledge base's change log kept; a copy further behind rebuilds
 * @param warmupMs            at start, how long {@code /ready} waits for this node's copies to load and for a probe
 *                            search of every knowledge base (embedding its query) before it reports ready; 0 skips
 *                            the warm-up
 */
public record DurabilityConfig(long jobLeaseMs, long snapshotIntervalMs, long changeLogRetention, long warmupMs) {

  /**
   * Reads the keys of the {@code retrieval} section.
   *
   * @throws io.ganglion.config.ConfigException naming the first bad key
   */
  public static DurabilityConfig from(JsonObject retrieval) {
    ConfigReader r = new ConfigReader(retrieval, "retrieval");
    return new DurabilityConfig(
      r.longValue("jobLeaseMs", 15_000, 1_000, 3_600_000),
      r.longValue("snapshotIntervalMs", 30_000, 500, 86_400_000),
      r.longValue("changeLogRetention", 100_000, 10, Long.MAX_VALUE),
      r.longValue("warmupMs", 30_000, 0, 600_000));
  }
}
