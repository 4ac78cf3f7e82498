package io.ganglion.retrieval.shard;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.cluster.Member;
import io.ganglion.cluster.Membership;
import io.ganglion.config.ClusterConfig;
import io.ganglion.store.KbRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells the cluster that a knowledge base changed, after the change is in PostgreSQL and before the caller hears back:
 * <ol>
 *   <li>publishes {@code ganglion.retrieval.kb.changed} to every node (answer caches key on the version);</li>
 *   <li>sends the change to every live node's shard endpoint and waits for each to acknowledge: a node holding a copy
 *       of a changed shard answers once the copy applied it (at most {@code cluster.shardTimeoutMs}), any other node
 *       at once (at most {@code cluster.invalidationWaitMs}). Because a node handles the published event before the
 *       request that follows it on the same connection, an acknowledgement also means its cache has the new
 *       version.</li>
 * </ol>
 * A node that does not acknowledge in time is logged; it catches up at its next sync ({@code cluster.syncIntervalMs}),
 * and its cache serves nothing of that knowledge base it cannot vouch for (see the reflex cache).
 * <p>
 * <b>NOTE</b>: runs on the retrieval verticle's context.
 */
public final class ChangeBroadcast {

  private static final Logger LOG = LoggerFactory.getLogger(ChangeBroadcast.class);

  private final Vertx vertx;
  private final Membership membership;
  private final ShardReplicas replicas;
  private final ClusterConfig cluster;
  private final long createTimeoutMs;

  ChangeBroadcast(Vertx vertx, Membership membership, ShardReplicas replicas, ClusterConfig cluster,
                  long createTimeoutMs) {
    this.vertx = vertx;
    this.membership = membership;
    this.replicas = replicas;
    this.cluster = cluster;
    this.createTimeoutMs = createTimeoutMs;
  }

  /** A knowledge base was created: every node learns of it; completes once the owners' copies are active. */
  public Future<Void> created(KbRepository.Kb kb) {
    return toEveryNode(new JsonObject().put("kbId", kb.id()).put("created", ShardEndpoint.kbJson(kb)),
      node -> createTimeoutMs);
  }

  /**
   * Documents of {@code kb} changed; {@code shards} maps each changed shard to the knowledge base's version after its
   * last change. {@code version} is the new version for caches (null when it could not be read).
   */
  public Future<Void> changed(KbRepository.Kb kb, Long version, Map<Integer, Long> shards) {
    publish(kb, version, false);
    JsonObject shardVersions = new JsonObject();
    shards.forEach((s, v) -> shardVersions.put(Integer.toString(s), v));
    Map<String, Boolean> holders = new HashMap<>();
    for (Integer s : shards.keySet()) {
      replicas.holders(new ShardKey(kb.id(), s)).forEach(m -> holders.put(m.vertxId(), true));
    }
    return toEveryNode(new JsonObject().put("kbId", kb.id()).put("shards", shardVersions),
      node -> holders.containsKey(node) ? cluster.shardTimeoutMs() : cluster.invalidationWaitMs());
  }

  /**
   * A knowledge base's name now resolves to {@code current} and {@code old} has a hidden name (its model changed,
   * see {@code io.ganglion.retrieval.impl.ModelChanges}): every node's name cache drops the old id and its reports
   * take the new names. Completes when every
   * live node acknowledged (at most {@code cluster.invalidationWaitMs} each).
   */
  public Future<Void> switched(KbRepository.Kb current, KbRepository.Kb old, Long version) {
    JsonObject event = event(current, version, false).put("switched", true);
    vertx.eventBus().publish(Addresses.RETRIEVAL_KB_CHANGED, event);
    return toEveryNode(new JsonObject().put("kbId", current.id()).put("shards", new JsonObject())
        .put("renamed", new io.vertx.core.json.JsonArray().add(ShardEndpoint.kbJson(current)).add(ShardEndpoint.kbJson(old))),
      node -> cluster.invalidationWaitMs());
  }

  /** A knowledge base was deleted: every node drops its copies. */
  public Future<Void> deleted(KbRepository.Kb kb) {
    publish(kb, null, true);
    return toEveryNode(new JsonObject().put("kbId", kb.id()).put("deleted", true), node -> cluster.shardTimeoutMs());
  }

  private void publish(KbRepository.Kb kb, Long version, boolean deleted) {
    vertx.eventBus().publish(Addresses.RETRIEVAL_KB_CHANGED, event(kb, version, deleted));
  }

  private static JsonObject event(KbRepository.Kb kb, Long version, boolean deleted) {
    JsonObject event = new JsonObject().put("tenant", kb.tenant()).put("kb", kb.name())
      .put("createdAt", kb.createdAt().toString());
    if (version != null) {
      event.put("version", version);
    }
    if (deleted) {
      event.put("deleted", true);
    }
    return event;
  }

  private Future<Void> toEveryNode(JsonObject notice, java.util.function.ToLongFunction<String> timeoutOf) {
    String self = membership.self().vertxId();
    List<Future<Void>> acks = new ArrayList<>();
    for (String node : membership.liveNodes()) {
      if (!membership.clustered() || node.equals(self)) {
        continue;
      }
      long timeout = timeoutOf.applyAsLong(node);
      acks.add(vertx.eventBus().<JsonObject>request(Addresses.retrievalShards(node, "changed"), notice,
          Deadlines.within(timeout))
        .<Void>mapEmpty()
        .recover(e -> {
          if (!isClient(node)) {
            LOG.warn("node {} did not acknowledge a change of knowledge base {} within {} ms: {}", node,
              notice.getLong("kbId"), timeout, e.getMessage());
          }
          return Future.succeededFuture();
        }));
    }
    acks.add(local(notice));
    return Future.join(acks).mapEmpty();
  }

  private Future<Void> local(JsonObject notice) {
    long kbId = notice.getLong("kbId");
    if (Boolean.TRUE.equals(notice.getBoolean("deleted"))) {
      return replicas.kbDeleted(kbId);
    }
    JsonObject created = notice.getJsonObject("created");
    if (created != null) {
      return replicas.kbCreated(ShardEndpoint.kb(created)).recover(e -> Future.succeededFuture());
    }
    ShardEndpoint.renamed(replicas, notice);
    Map<Integer, Long> versions = new HashMap<>();
    JsonObject shards = notice.getJsonObject("shards");
    shards.fieldNames().forEach(s -> versions.put(Integer.parseInt(s), shards.getLong(s)));
    return replicas.changed(kbId, versions).mapEmpty();
  }

  /** Client members (lite, no Ganglion consumers) answer nothing; their silence is expected. */
  private boolean isClient(String vertxId) {
    for (Member m : membership.members()) {
      if (m.vertxId().equals(vertxId)) {
        return false;
      }
    }
    return true;
  }
}
