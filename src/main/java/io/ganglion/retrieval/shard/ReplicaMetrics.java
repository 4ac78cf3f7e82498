package io.ganglion.retrieval.shard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.function.Supplier;

/**
 * The meters of shard copies and of the cluster as this node sees it ({@code /metrics}):
 * {@code ganglion_cluster_members}, {@code ganglion_cluster_quorum}, {@code ganglion_cluster_shards_owned},
 * {@code ganglion_cluster_replicas{state}}, {@code ganglion_cluster_rebalances_total{action=load|drop}},
 * {@code ganglion_retrieval_replica_loads_total{source=snapshot|rebuild}},
 * {@code ganglion_retrieval_replica_replayed_total}, {@code ganglion_retrieval_replica_log_gaps_total},
 * {@code ganglion_retrieval_search_partial_total}, {@code ganglion_retrieval_shard_retries_total},
 * {@code ganglion_retrieval_snapshots_total{outcome=written|failed}} (a failed one, a full disk say, left the previous
 * snapshot in place and is tried again at the next interval).
 */
final class ReplicaMetrics {

  private final MeterRegistry registry;
  private final Counter snapshotLoads;
  private final Counter rebuilds;
  private final Counter replayed;
  private final Counter logGaps;
  private final Counter loadsStarted;
  private final Counter drops;
  private final Counter partial;
  private final Counter retries;
  private final Counter snapshotsWritten;
  private final Counter snapshotsFailed;

  ReplicaMetrics(MeterRegistry registry) {
    this.registry = registry;
    String loads = "ganglion.retrieval.replica.loads";
    snapshotLoads = Counter.builder(loads).tag("source", "snapshot").description("shard copies loaded").register(registry);
    rebuilds = Counter.builder(loads).tag("source", "rebuild").description("shard copies loaded").register(registry);
    replayed = Counter.builder("ganglion.retrieval.replica.replayed")
      .description("logged changes replayed into shard copies").register(registry);
    logGaps = Counter.builder("ganglion.retrieval.replica.log.gaps")
      .description("copies rebuilt because the change log no longer reached back to them").register(registry);
    String rebalances = "ganglion.cluster.rebalances";
    loadsStarted = Counter.builder(rebalances).tag("action", "load")
      .description("shard copies this node started loading or dropped as ownership changed").register(registry);
    drops = Counter.builder(rebalances).tag("action", "drop")
      .description("shard copies this node started loading or dropped as ownership changed").register(registry);
    partial = Counter.builder("ganglion.retrieval.search.partial")
      .description("searches answered without some shard").register(registry);
    retries = Counter.builder("ganglion.retrieval.shard.retries")
      .description("shard requests retried on another copy").register(registry);
    snapshotsWritten = Counter.builder("ganglion.retrieval.snapshots").tag("outcome", "written")
      .description("snapshots of shard copies written or failed").register(registry);
    snapshotsFailed = Counter.builder("ganglion.retrieval.snapshots").tag("outcome", "failed")
      .description("snapshots of shard copies written or failed").register(registry);
  }

  void snapshot(boolean written) {
    (written ? snapshotsWritten : snapshotsFailed).increment();
  }

  void gauges(Supplier<Number> members, Supplier<Number> quorum, Supplier<Number> owned, Supplier<Number> loading,
              Supplier<Number> active) {
    Gauge.builder("ganglion.cluster.members", members).description("live serving members this node sees")
      .register(registry);
    Gauge.builder("ganglion.cluster.quorum", quorum).description("1 while this side has cluster.minMembers")
      .register(registry);
    Gauge.builder("ganglion.cluster.shards.owned", owned).description("shards this node owns").register(registry);
    Gauge.builder("ganglion.cluster.replicas", loading).tag("state", "loading").description("this node's shard copies")
      .register(registry);
    Gauge.builder("ganglion.cluster.replicas", active).tag("state", "active").description("this node's shard copies")
      .register(registry);
  }

  void loaded(String source) {
    ("snapshot".equals(source) ? snapshotLoads : rebuilds).increment();
  }

  void replayed(int changes) {
    replayed.increment(changes);
  }

  void logGap() {
    logGaps.increment();
  }

  void loadStarted() {
    loadsStarted.increment();
  }

  void dropped() {
    drops.increment();
  }

  void partial() {
    partial.increment();
  }

  void retried() {
    retries.increment();
  }
}
