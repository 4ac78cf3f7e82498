package io.ganglion.retrieval.shard;

import io.ganglion.cluster.ClusterTable;
import io.ganglion.cluster.Membership;
import io.ganglion.retrieval.impl.NodeCapacity;
import io.ganglion.store.KbRepository;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Whether the nodes that will hold a document's vectors can take them: this node ({@link NodeCapacity}) and every
 * other owner or copy of the document's shard. Each node publishes what it is short of (heap or disk, the text of
 * {@link NodeCapacity#shortage}) in the replicated table {@value #TABLE} ({@code <nodeId>} → reason, present only
 * while it is short), checked every {@value #PUBLISH_MS} ms and written only when it changes; ingestion then refuses a
 * document whose shard a short node holds, on whichever node received it, with 503 {@code capacity} naming that node.
 * Entries of members that are not live are ignored. Reads are local (the table is a full copy on every node), so a
 * check costs no network round trip.
 * <p>
 * <b>NOTE</b>: created, started and asked on the retrieval verticle's context (ownership is computed there).
 */
public final class ClusterCapacity {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterCapacity.class);
  static final String TABLE = "ganglion.capacity";
  /** How often this node measures itself for the others; a change is published at once. */
  static final long PUBLISH_MS = 250;

  private final Vertx vertx;
  private final Membership membership;
  private final ClusterTable table;
  private final NodeCapacity local;
  private final ShardReplicas replicas;
  private String published;
  private long timer = -1;

  ClusterCapacity(Vertx vertx, Membership membership, NodeCapacity local, ShardReplicas replicas,
                  MeterRegistry meters) {
    this.vertx = vertx;
    this.membership = membership;
    this.table = membership.table(TABLE);
    this.local = local;
    this.replicas = replicas;
    Gauge.builder("ganglion.retrieval.capacity.short.members", this, c -> c.shortMembers().size())
      .description("other live members publishing a heap or disk shortage (ingestion into their shards is refused)")
      .register(meters);
  }

  /** Publishes this node's state now (replacing what a previous process of it left), then whenever it changes. */
  void start() {
    publish();
    timer = vertx.setPeriodic(PUBLISH_MS, t -> publish());
  }

  /** Stops publishing and removes this node's entry. */
  Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    return table.remove(membership.self().id()).otherwise((Void) null);
  }

  private void publish() {
    String now = local.shortage().orElse("");
    if (now.equals(published)) {
      return;
    }
    published = now;
    String self = membership.self().id();
    (now.isEmpty() ? table.remove(self) : table.put(self, now)).onFailure(e -> {
      published = null; // written again at the next check
      LOG.debug("publishing this node's capacity failed: {}", e.toString());
    });
    if (!now.isEmpty()) {
      LOG.warn("this node's {}: ingestion into the shards it holds is refused until it has room", now);
    }
  }

  /**
   * Why documents of {@code kb} in {@code shards} cannot be taken now, or empty when every node that holds those
   * shards has room: this node's own shortage first, then the first short node holding one of the shards. Counts the
   * refusal ({@code ganglion.retrieval.capacity.refusals}).
   */
  public Optional<String> refusal(KbRepository.Kb kb, Collection<Integer> shards) {
    Optional<String> mine = local.refusal();
    if (mine.isPresent()) {
      return mine;
    }
    Optional<String> other = holderShortage(kb, shards);
    other.ifPresent(r -> local.refusedFor());
    return other;
  }

  /** {@link #refusal} without counting it: for a job that waits and asks again. */
  public Optional<String> shortage(KbRepository.Kb kb, Collection<Integer> shards) {
    Optional<String> mine = local.shortage();
    if (mine.isPresent()) {
      return mine.map(s -> "this node's " + s);
    }
    return holderShortage(kb, shards);
  }

  private Optional<String> holderShortage(KbRepository.Kb kb, Collection<Integer> shards) {
    Map<String, String> others = shortMembers();
    if (others.isEmpty()) {
      return Optional.empty();
    }
    for (int shard : new TreeSet<>(shards)) {
      for (String holder : replicas.holders(kb, shard)) {
        String reason = others.get(holder);
        if (reason != null) {
          return Optional.of("node " + holder + ", which holds shard " + shard + " of this knowledge base, is short of "
            + "room: its " + reason + "; ingestion into that shard is paused until it has room");
        }
      }
    }
    return Optional.empty();
  }

  /** What member {@code nodeId} publishes it is short of, for the cluster report: {@code {"short","reason"?}}. */
  JsonObject describe(String nodeId) {
    String reason = nodeId.equals(membership.self().id()) ? local.shortage().orElse(null) : shortMembers().get(nodeId);
    JsonObject json = new JsonObject().put("short", reason != null);
    return reason == null ? json : json.put("reason", reason);
  }

  /** Live members other than this node that publish a shortage, with its text. */
  private Map<String, String> shortMembers() {
    Map<String, String> all = table.snapshot();
    if (all.isEmpty()) {
      return Map.of();
    }
    String self = membership.self().id();
    Map<String, String> out = new java.util.HashMap<>();
    all.forEach((id, reason) -> {
      if (!id.equals(self) && membership.member(id) != null) {
        out.put(id, reason);
      }
    });
    return out;
  }
}
