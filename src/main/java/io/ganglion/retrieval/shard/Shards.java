package io.ganglion.retrieval.shard;

import io.ganglion.bus.MeterRegistries;
import io.ganglion.cluster.Cluster;
import io.ganglion.cluster.Member;
import io.ganglion.cluster.Membership;
import io.ganglion.config.ClusterConfig;
import io.ganglion.retrieval.impl.NodeCapacity;
import io.ganglion.retrieval.impl.RetrievalWorkers;
import io.ganglion.retrieval.index.ShardRouter;
import io.ganglion.retrieval.index.VectorIndexConfig;
import io.ganglion.store.ChangeLogRepository;
import io.ganglion.store.DocumentRepository;
import io.ganglion.store.KbRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * The shards of every knowledge base as this node serves them, assembled: its copies ({@link ShardReplicas}), the
 * directory of everyone's copies, searches across them ({@link ShardScatter}), the endpoint other nodes call, and the
 * broadcast of changes ({@link ChangeBroadcast}). On a single node the membership is this node alone, the directory a
 * local map, and every step runs locally: one code path.
 * <p>
 * <b>NOTE</b>: created and used on the retrieval verticle's context.
 */
public final class Shards {

  private static final Logger LOG = LoggerFactory.getLogger(Shards.class);
  /** How often the change logs are pruned (at start too; by one member: the one with the lowest id). */
  static final long PRUNE_INTERVAL_MS = 60_000;

  private final Vertx vertx;
  private final Membership membership;
  private final ShardReplicas replicas;
  private final ShardScatter scatter;
  private final ShardEndpoint endpoint;
  private final ChangeBroadcast broadcast;
  private final ChangeLogRepository changeLog;
  private final DocumentRepository documents;
  private final RetrievalWorkers workers;
  private final long changeLogRetention;
  private final ReplicaWorkspace workspace;
  private final ClusterCapacity capacity;
  private long pruneTimer = -1;

  /**
   * @param snapshots          the directory of shard snapshots ({@code dataDir/indexes})
   * @param work               the directory of the copies' working files ({@code dataDir/index-work})
   * @param vectors            {@code retrieval.vectors}: how the copies' vector indexes hold vectors
   * @param defaultShards      {@code retrieval.shards}, for knowledge bases created before counts were recorded
   * @param changeLogRetention versions of each knowledge base's change log kept
   * @param busTimeoutMs       how long a knowledge-base creation waits for its copies to activate
   * @param capacity           this node's heap and disk headroom, published to the others ({@link ClusterCapacity})
   */
  public Shards(Vertx vertx, ClusterConfig cluster, RetrievalWorkers workers, KbRepository kbs,
                DocumentRepository documents, ChangeLogRepository changeLog, Path snapshots, Path work,
                VectorIndexConfig vectors, int defaultShards, long changeLogRetention, long busTimeoutMs,
                NodeCapacity capacity) {
    this.vertx = vertx;
    this.membership = Cluster.membership(vertx);
    this.changeLog = changeLog;
    this.documents = documents;
    this.changeLogRetention = changeLogRetention;
    ReplicaMetrics metrics = new ReplicaMetrics(MeterRegistries.of(vertx));
    ReplicaDirectory directory = new ReplicaDirectory(membership);
    this.workspace = new ReplicaWorkspace(work, vectors);
    ReplicaSnapshots store = new ReplicaSnapshots(snapshots, workspace);
    ReplicaLoader loader = new ReplicaLoader(workers, documents, changeLog, store, workspace, metrics);
    this.replicas = new ShardReplicas(vertx, membership, cluster, kbs, workers, directory, loader, store, metrics,
      new VectorMeters(MeterRegistries.of(vertx)), defaultShards);
    this.workers = workers;
    LocalShards local = new LocalShards(replicas, workers, membership.self().id());
    this.scatter = new ShardScatter(vertx, replicas, local, cluster.shardTimeoutMs(), metrics);
    this.endpoint = new ShardEndpoint(vertx, replicas, local, membership.self().vertxId());
    this.broadcast = new ChangeBroadcast(vertx, membership, replicas, cluster, busTimeoutMs);
    this.capacity = new ClusterCapacity(vertx, membership, capacity, replicas, MeterRegistries.of(vertx));
  }

  /** Empties the copies' working directory, registers the endpoint, then starts loading this node's copies. */
  public Future<Void> start() {
    return workers.<Void>run(() -> {
        workspace.clear();
        return null;
      })
      .compose(v -> endpoint.register())
      .onSuccess(v -> capacity.start())
      .compose(v -> replicas.start(kb -> documents.assignShards(kb.id(), id -> ShardRouter.shardOf(id, kb.shards()))
        .map(filled -> {
          if (filled > 0) {
            LOG.info("knowledge base {}: recorded the shard of {} documents stored before shards were", kb.id(), filled);
          }
          return null;
        })
        // before the copies load, so a copy further behind than the retention rebuilds rather than replaying a log
        // about to be pruned under it
        .compose(x -> pruner() ? prune(kb) : Future.succeededFuture())))
      .onSuccess(v -> pruneTimer = vertx.setPeriodic(PRUNE_INTERVAL_MS, t -> prune()));
  }

  /** Snapshots changed copies and closes them, then stops the vector merge thread (after a running merge). */
  public Future<Void> stop() {
    if (pruneTimer >= 0) {
      vertx.cancelTimer(pruneTimer);
    }
    return replicas.stop().eventually(capacity::stop).eventually(() -> workers.run(() -> {
      workspace.close();
      return null;
    }));
  }

  public ShardScatter scatter() {
    return scatter;
  }

  public ChangeBroadcast broadcast() {
    return broadcast;
  }

  /** Whether the nodes holding a knowledge base's shards can take more documents. */
  public ClusterCapacity capacity() {
    return capacity;
  }

  /** Writes snapshots of the copies changed since their last one. */
  public Future<Void> snapshotChanged() {
    return replicas.snapshotChanged();
  }

  /** The knowledge base as this node knows it (its shard count). */
  public KbRepository.Kb kb(long kbId) {
    return replicas.kb(kbId);
  }

  /** The shard of a document. */
  public static int shardOf(KbRepository.Kb kb, String documentId) {
    return ShardRouter.shardOf(documentId, kb.shards());
  }

  /** Completes when this node handed its copies over (after announcing it leaves), or after the drain timeout. */
  public Future<Void> drained() {
    return replicas.drained();
  }

  /**
   * {@code GET /v1/cluster}: {@code {"status":"green|yellow|red","self","quorum","members":[...],"kbs":[...]}}; each
   * member with {@code "capacity":{"short","reason"?}} (what it publishes it is short of, {@link ClusterCapacity}).
   */
  public JsonObject report() {
    JsonObject shards = replicas.report();
    JsonArray members = new JsonArray();
    for (Member m : membership.members()) {
      members.add(new JsonObject().put("id", m.id()).put("host", m.host()).put("httpPort", m.httpPort())
        .put("busPort", m.busPort()).put("state", m.state().name().toLowerCase(java.util.Locale.ROOT))
        .put("since", java.time.Instant.ofEpochMilli(m.since()).toString()).put("capacity", capacity.describe(m.id())));
    }
    return new JsonObject().put("status", shards.getString("status")).put("self", membership.self().id())
      .put("clustered", membership.clustered()).put("quorum", membership.quorate()).put("members", members)
      .put("kbs", shards.getJsonArray("kbs"));
  }

  /**
   * This node's copies and the cluster's colour as it sees it, for the status address (and {@code /ready}):
   * {@code {"copies","activeCopies","chunks","vectorIndexes":[...],"cluster":{"status","members","quorum","chunks"}}}
   * ({@code chunks}: live chunks in this node's active copies; {@code vectorIndexes}: per knowledge base, the vectors
   * of its copies here, their heap and disk bytes and each copy's index kind, {@link VectorMeters#describe}).
   */
  public JsonObject describe() {
    JsonObject copies = replicas.describe();
    return copies.put("cluster", new JsonObject().put("status", status())
      .put("members", membership.members().size()).put("quorum", membership.quorate())
      .put("chunks", copies.getInteger("chunks")));
  }

  /** The cluster colour alone (for {@code /ready}). */
  public String status() {
    return replicas.report().getString("status");
  }

  private void prune() {
    if (pruner()) {
      replicas.kbs().forEach(this::prune);
    }
  }

  /** Whether this node prunes the change logs: the member with the lowest id (every node would do the same work). */
  private boolean pruner() {
    var members = membership.members();
    return members.isEmpty() || members.getFirst().id().equals(membership.self().id());
  }

  private Future<Void> prune(KbRepository.Kb kb) {
    return changeLog.prune(kb.id(), changeLogRetention)
      .<Void>mapEmpty()
      .recover(e -> {
        LOG.debug("pruning the change log of {} failed: {}", kb.id(), e.toString());
        return Future.succeededFuture();
      });
  }
}
