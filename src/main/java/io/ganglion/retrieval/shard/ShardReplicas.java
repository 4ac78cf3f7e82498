package io.ganglion.retrieval.shard;

import io.ganglion.cluster.Member;
import io.ganglion.cluster.Membership;
import io.ganglion.config.ClusterConfig;
import io.ganglion.retrieval.impl.RetrievalWorkers;
import io.ganglion.retrieval.index.IndexStats;
import io.ganglion.retrieval.index.Shard;
import io.ganglion.retrieval.index.ShardRouter;
import io.ganglion.store.KbRepository;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shard copies this node holds, and the one place they move: which copies to load (the shards
 * {@link ShardOwnership} gives this node among the members), loading them at most {@code cluster.maxConcurrentLoads}
 * at a time, catching them up with the change log, and dropping a copy this node no longer owns once every live new
 * owner holds an active copy (load-then-drop). A side of a split cluster below {@code cluster.minMembers} makes no such
 * decision: it keeps what it has. A member that vanished keeps its shards for {@code cluster.rebalanceDelayMs}
 * ({@link Membership#ownershipMembers}); one that leaves cleanly hands them over at once.
 * <p>
 * <b>NOTE</b>: confined to the retrieval verticle's context (plain maps), like {@link Replica}; membership and
 * directory changes arrive on other threads and are re-dispatched to it.
 */
public final class ShardReplicas {

  private static final Logger LOG = LoggerFactory.getLogger(ShardReplicas.class);
  /** How long a dropped copy stays open for searches already running on it. */
  static final long DROP_GRACE_MS = 5_000;
  /** How long a leaving node keeps serving after its last copy left the directory. */
  static final long DIRECTORY_SETTLE_MS = 1_000;
  /** How long before a copy that failed to load is tried again. */
  static final long RETRY_MS = 5_000;
  /** How long after learning of a new knowledge base a search waits for its copies to show in the directory. */
  static final long FRESH_KB_MS = 5_000;
  /** Deleted vectors beyond which a copy is compacted before its snapshot (and a quarter of its chunks). */
  static final int COMPACT_MIN_DELETED = 1000;

  private final Vertx vertx;
  /** The retrieval verticle's context, where everything here runs (see the class note). */
  private final Context context;
  private final Membership membership;
  private final ClusterConfig cluster;
  private final KbRepository kbs;
  private final RetrievalWorkers workers;
  private final ReplicaDirectory directory;
  private final ReplicaLoader loader;
  private final ReplicaSnapshots snapshots;
  private final ReplicaMetrics metrics;
  private final VectorMeters vectorMeters;
  private final int defaultShards;
  private final Map<Long, KbRepository.Kb> catalog = new HashMap<>();
  /** When this node learned of each knowledge base created while it ran. */
  private final Map<Long, Long> learnedAt = new HashMap<>();
  private final Map<ShardKey, Replica> held = new HashMap<>();
  private final Deque<Replica> queue = new ArrayDeque<>();
  /** Ownership per knowledge base, for the owner set it was computed with. */
  private final Map<Long, List<List<String>>> ownership = new HashMap<>();
  private Set<String> ownershipFor = Set.of();
  private int loading;
  private boolean reconcileQueued;
  private boolean stopped;
  private long syncTimer = -1;

  ShardReplicas(Vertx vertx, Membership membership, ClusterConfig cluster, KbRepository kbs, RetrievalWorkers workers,
                ReplicaDirectory directory, ReplicaLoader loader, ReplicaSnapshots snapshots, ReplicaMetrics metrics,
                VectorMeters vectorMeters, int defaultShards) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.membership = membership;
    this.cluster = cluster;
    this.kbs = kbs;
    this.workers = workers;
    this.directory = directory;
    this.loader = loader;
    this.snapshots = snapshots;
    this.metrics = metrics;
    this.vectorMeters = vectorMeters;
    this.defaultShards = defaultShards;
    metrics.gauges(() -> membership.members().size(), () -> membership.quorate() ? 1 : 0, this::ownedCount,
      () -> count(ReplicaState.LOADING), () -> count(ReplicaState.ACTIVE));
  }

  /**
   * Reads the knowledge bases, clears what a previous process of this node left in the directory, and starts loading
   * the copies this node owns; in a cluster, re-reads the knowledge bases every {@code cluster.syncIntervalMs}.
   *
   * @param prepare run for every knowledge base before its copies load (fills in legacy rows)
   */
  Future<Void> start(java.util.function.Function<KbRepository.Kb, Future<Void>> prepare) {
    return kbs.recordShards(defaultShards)
      .compose(v -> directory.clear(membership.self().id()))
      .compose(v -> kbs.all())
      .compose(all -> {
        Future<Void> chain = Future.succeededFuture();
        for (KbRepository.KbVersion kv : all) {
          catalog.put(kv.kb().id(), kv.kb());
          chain = chain.compose(v -> prepare.apply(kv.kb()));
        }
        return chain;
      })
      .onSuccess(v -> {
        membership.onChange(this::reconcileSoon);
        membership.table(ReplicaDirectory.TABLE).onChange(() -> context.runOnContext(x -> reconcileSoon()));
        if (membership.clustered()) {
          syncTimer = vertx.setPeriodic(cluster.syncIntervalMs(), t -> sync());
        }
        reconcile();
      });
  }

  /** Snapshots changed copies and closes them all; the directory forgets this node's copies. */
  Future<Void> stop() {
    stopped = true;
    queue.clear();
    if (syncTimer >= 0) {
      vertx.cancelTimer(syncTimer);
    }
    return snapshotChanged().eventually(() -> {
      List<Future<Void>> removals = new ArrayList<>();
      for (Replica r : List.copyOf(held.values())) {
        r.state = ReplicaState.DROPPED;
        vectorMeters.remove(r);
        removals.add(directory.set(r.key, membership.self().id(), ReplicaState.DROPPED));
      }
      List<Replica> all = List.copyOf(held.values());
      held.clear();
      return Future.join(removals).eventually(() -> workers.run(() -> {
        all.stream().map(r -> r.shard).filter(java.util.Objects::nonNull).forEach(ReplicaLoader::close);
        return null;
      })).mapEmpty();
    });
  }

  // --- knowledge bases coming and going

  /** A knowledge base was created: this node loads the copies it owns; completes once they are active. */
  Future<Void> kbCreated(KbRepository.Kb kb) {
    catalog.put(kb.id(), kb);
    learnedAt.put(kb.id(), System.currentTimeMillis());
    reconcile();
    return activation(kb.id());
  }

  /** A knowledge base was deleted: its copies here are dropped and their snapshots removed. */
  Future<Void> kbDeleted(long kbId) {
    catalog.remove(kbId);
    learnedAt.remove(kbId);
    ownership.remove(kbId);
    for (Replica r : List.copyOf(held.values())) {
      if (r.key.kbId() == kbId) {
        drop(r, "its knowledge base was deleted");
      }
    }
    return workers.runBulk(() -> {
      snapshots.deleteKb(kbId);
      return null;
    });
  }

  KbRepository.Kb kb(long kbId) {
    return catalog.get(kbId);
  }

  /** Knowledge bases that took other names (a model change switched them): reports name them as they are now. */
  void renamed(List<KbRepository.Kb> kbs) {
    kbs.forEach(kb -> catalog.computeIfPresent(kb.id(), (id, known) -> kb));
  }

  /** Completes once every copy of the knowledge base this node holds is active (or at once if it holds none). */
  Future<Void> activation(long kbId) {
    List<Future<Void>> pending = new ArrayList<>();
    for (Replica r : held.values()) {
      if (r.key.kbId() == kbId) {
        pending.add(r.activated.future());
      }
    }
    return Future.all(pending).mapEmpty();
  }

  // --- changes

  /**
   * Owners were told that {@code shards} of {@code kbId} changed up to the given versions: an active copy here
   * catches up before the future completes, a loading one remembers to. Returns, per shard this node holds, the state
   * of its copy.
   */
  Future<JsonObject> changed(long kbId, Map<Integer, Long> shards) {
    JsonObject states = new JsonObject();
    List<Future<Void>> work = new ArrayList<>();
    shards.forEach((shard, version) -> {
      Replica r = held.get(new ShardKey(kbId, shard));
      if (r == null || r.state == ReplicaState.DROPPED) {
        return;
      }
      states.put(Integer.toString(shard), r.state.label());
      if (r.state == ReplicaState.LOADING) {
        r.target = Math.max(r.target, version);
      } else if (version > r.version) {
        work.add(catchUp(r));
      }
    });
    return Future.join(work).map(v -> states);
  }

  /** Catches the copy up after the work queued on it; failures are logged (the next sync tries again). */
  private Future<Void> catchUp(Replica r) {
    r.work = r.work.transform(ignored -> r.state == ReplicaState.DROPPED ? Future.<Void>succeededFuture()
      : loader.catchUp(r).recover(e -> {
        if (e instanceof ReplicaLoader.KbGoneException) {
          kbDeleted(r.key.kbId());
        } else {
          LOG.warn("catching up copy {} failed: {}", r.key, e.toString());
        }
        return Future.succeededFuture();
      }));
    return r.work;
  }

  /** Re-reads every knowledge base's version: new ones are loaded, deleted ones dropped, lagging copies caught up. */
  Future<Void> sync() {
    long asOf = System.currentTimeMillis();
    return kbs.all().onSuccess(all -> {
      JsonObject tags = new JsonObject();
      all.forEach(kv -> tags.put(kv.kb().tenant() + "/" + kv.kb().name(), kv.kb().createdAt() + "#" + kv.version()));
      // the answer cache on this node trusts the versions it knows for a while longer (see KbVersions)
      vertx.eventBus().publish(io.ganglion.bus.Addresses.RETRIEVAL_KB_VERSIONS,
        new JsonObject().put("asOf", asOf).put("kbs", tags), new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true));
      Map<Long, Long> versions = new HashMap<>();
      Set<Long> seen = new HashSet<>();
      for (KbRepository.KbVersion kv : all) {
        seen.add(kv.kb().id());
        versions.put(kv.kb().id(), kv.version());
        if (catalog.putIfAbsent(kv.kb().id(), kv.kb()) == null) {
          learnedAt.put(kv.kb().id(), System.currentTimeMillis());
        }
      }
      for (Long id : List.copyOf(catalog.keySet())) {
        if (!seen.contains(id)) {
          kbDeleted(id);
        }
      }
      for (Replica r : List.copyOf(held.values())) {
        Long version = versions.get(r.key.kbId());
        if (version != null && r.state == ReplicaState.ACTIVE && version > r.version && r.work.isComplete()) {
          catchUp(r);
        }
      }
      reconcile();
    }).onFailure(e -> LOG.debug("knowledge-base sync failed: {}", e.toString())).mapEmpty();
  }

  // --- what this node serves

  /** This node's copy of {@code key} when it is active, else null. */
  Shard active(ShardKey key) {
    Replica r = held.get(key);
    return r != null && r.state == ReplicaState.ACTIVE ? r.shard : null;
  }

  /** Completes when this node's copy of {@code key} is active; null when it holds none. */
  Future<Void> whenActive(ShardKey key) {
    Replica r = held.get(key);
    return r == null || r.state == ReplicaState.DROPPED ? null : r.activated.future();
  }

  /**
   * Whether an active copy of {@code key} may appear shortly: one is loading somewhere, or this node learned of the
   * knowledge base moments ago (the directory may not show the copies its creation activated yet).
   */
  boolean mayAppear(ShardKey key) {
    Long learned = learnedAt.get(key.kbId());
    return !directory.copies(key).isEmpty()
      || (learned != null && System.currentTimeMillis() - learned < FRESH_KB_MS);
  }

  /** The live members holding a copy of {@code key} in any state (they must hear of its changes). */
  List<Member> holders(ShardKey key) {
    Map<String, ReplicaState> copies = directory.copies(key);
    return membership.members().stream().filter(m -> copies.containsKey(m.id())).toList();
  }

  /** The knowledge bases this node knows of. */
  java.util.Collection<KbRepository.Kb> kbs() {
    return List.copyOf(catalog.values());
  }

  /** The members holding an active copy of {@code key}, this node first. */
  List<Member> activeCopies(ShardKey key) {
    return directory.active(key);
  }

  // --- ownership

  private void reconcileSoon() {
    if (!reconcileQueued) {
      reconcileQueued = true;
      context.runOnContext(v -> {
        reconcileQueued = false;
        reconcile();
      });
    }
  }

  /** Loads the copies this node owns and lacks, and drops the ones it no longer owns once handed over. */
  void reconcile() {
    if (stopped || !membership.quorate()) {
      return; // a minority makes no ownership decisions: it keeps serving what it has
    }
    String self = membership.self().id();
    Set<String> liveIds = new HashSet<>();
    membership.members().forEach(m -> liveIds.add(m.id()));
    Set<ShardKey> wanted = new HashSet<>();
    for (KbRepository.Kb kb : catalog.values()) {
      List<List<String>> owners = owners(kb);
      for (int s = 0; s < kb.shards(); s++) {
        ShardKey key = new ShardKey(kb.id(), s);
        if (owners.get(s).contains(self)) {
          wanted.add(key);
          if (!held.containsKey(key)) {
            load(new Replica(key, kb.shards()));
          }
        }
      }
    }
    for (Replica r : List.copyOf(held.values())) {
      if (wanted.contains(r.key)) {
        continue;
      }
      KbRepository.Kb kb = catalog.get(r.key.kbId());
      if (kb == null) {
        drop(r, "its knowledge base is gone");
      } else if (handedOver(r.key, owners(kb).get(r.key.shard()), liveIds)) {
        drop(r, "its new owners are active");
      }
    }
  }

  /** Whether every live owner of {@code key} other than this node holds an active copy (and there is one). */
  private boolean handedOver(ShardKey key, List<String> owners, Set<String> liveIds) {
    Map<String, ReplicaState> copies = directory.copies(key);
    int liveOwners = 0;
    for (String owner : owners) {
      if (!liveIds.contains(owner)) {
        continue;
      }
      liveOwners++;
      if (copies.get(owner) != ReplicaState.ACTIVE) {
        return false;
      }
    }
    return liveOwners > 0;
  }

  /**
   * The members that hold or will hold shard {@code shard} of {@code kb}: its owners as ownership computes them now,
   * and every member the directory lists with a copy (one loading, or one still serving while it hands over).
   */
  Set<String> holders(KbRepository.Kb kb, int shard) {
    Set<String> out = new java.util.LinkedHashSet<>(owners(kb).get(shard));
    out.addAll(directory.copies(new ShardKey(kb.id(), shard)).keySet());
    return out;
  }

  private List<List<String>> owners(KbRepository.Kb kb) {
    Set<String> members = membership.ownershipMembers();
    if (!members.equals(ownershipFor)) {
      ownership.clear();
      ownershipFor = members;
    }
    return ownership.computeIfAbsent(kb.id(),
      id -> ShardOwnership.owners(members, id, kb.shards(), cluster.replication()));
  }

  private int ownedCount() {
    return (int) held.values().stream().filter(r -> r.state != ReplicaState.DROPPED).count();
  }

  private int count(ReplicaState state) {
    return (int) held.values().stream().filter(r -> r.state == state).count();
  }

  // --- loading and dropping

  private void load(Replica r) {
    held.put(r.key, r);
    vectorMeters.add(r);
    queue.add(r);
    metrics.loadStarted();
    pump();
  }

  /** Starts queued loads while fewer than {@code cluster.maxConcurrentLoads} run (moves are throttled). */
  private void pump() {
    while (!stopped && loading < cluster.maxConcurrentLoads() && !queue.isEmpty()) {
      Replica r = queue.poll();
      if (r.state == ReplicaState.DROPPED) {
        continue;
      }
      loading++;
      String self = membership.self().id();
      r.work = directory.set(r.key, self, ReplicaState.LOADING)
        .compose(v -> loader.load(r))
        .compose(v -> settle(r))
        .compose(v -> {
          if (r.state == ReplicaState.DROPPED) {
            return Future.succeededFuture();
          }
          r.state = ReplicaState.ACTIVE;
          return directory.set(r.key, self, ReplicaState.ACTIVE).onComplete(ar -> r.activated.tryComplete());
        })
        .recover(e -> {
          failed(r, e);
          return Future.succeededFuture();
        })
        .eventually(() -> {
          loading--;
          pump();
          return Future.succeededFuture();
        });
    }
  }

  /** Catches up with changes announced while the copy was loading, until none is left. */
  private Future<Void> settle(Replica r) {
    if (r.target <= r.version || r.state == ReplicaState.DROPPED) {
      return Future.succeededFuture();
    }
    return loader.catchUp(r).compose(v -> settle(r));
  }

  private void failed(Replica r, Throwable e) {
    if (stopped) {
      return;
    }
    if (e instanceof ReplicaLoader.KbGoneException) {
      kbDeleted(r.key.kbId());
      return;
    }
    LOG.warn("loading copy {} failed (retrying in {} ms): {}", r.key, RETRY_MS, e.toString());
    if (held.get(r.key) == r) {
      held.remove(r.key);
    }
    vectorMeters.remove(r);
    r.state = ReplicaState.DROPPED;
    r.activated.tryFail(e);
    directory.set(r.key, membership.self().id(), ReplicaState.DROPPED);
    Shard shard = r.shard;
    if (shard != null) {
      workers.runBulk(() -> {
        ReplicaLoader.close(shard);
        return null;
      });
    }
    vertx.setTimer(RETRY_MS, t -> reconcile());
  }

  private void drop(Replica r, String why) {
    if (held.get(r.key) == r) {
      held.remove(r.key);
    }
    vectorMeters.remove(r);
    if (r.state == ReplicaState.DROPPED) {
      return;
    }
    LOG.info("dropping copy {}: {}", r.key, why);
    r.state = ReplicaState.DROPPED;
    metrics.dropped();
    r.activated.tryFail("copy " + r.key + " dropped: " + why);
    directory.set(r.key, membership.self().id(), ReplicaState.DROPPED);
    // searches already running on the copy finish on it; then its memory and snapshot go
    vertx.setTimer(DROP_GRACE_MS, t -> r.work = r.work.eventually(() -> workers.runBulk(() -> {
      if (r.shard != null) {
        ReplicaLoader.close(r.shard);
      }
      if (catalog.containsKey(r.key.kbId())) {
        snapshots.delete(r.key);
      }
      return null;
    })));
  }

  // --- snapshots

  /** Writes a snapshot of every active copy changed since its last one (compacted first when deletions piled up). */
  Future<Void> snapshotChanged() {
    List<Future<Void>> writes = new ArrayList<>();
    for (Replica r : held.values()) {
      if (r.state != ReplicaState.ACTIVE || !r.dirty) {
        continue;
      }
      r.dirty = false;
      long version = r.version;
      Shard shard = r.shard;
      Future<Void> write = workers.runBulk(() -> {
        IndexStats stats = shard.stats();
        if (stats.deletedVectors() > Math.max(COMPACT_MIN_DELETED, stats.chunks() / 4)) {
          shard.compact();
        }
        snapshots.write(r.key, r.kbShards, shard, version);
        return null;
      });
      writes.add(write.onSuccess(v -> metrics.snapshot(true)).onFailure(e -> {
        r.dirty = true;
        metrics.snapshot(false);
        LOG.warn("snapshot of copy {} failed: {}", r.key, e.toString());
      }));
    }
    return Future.join(writes).mapEmpty();
  }

  // --- draining

  /**
   * Completes once this node holds no copy another serving member could hold instead (it announced itself leaving,
   * so ownership moved away from it), or after {@code cluster.drainTimeoutMs}.
   */
  Future<Void> drained() {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    long deadline = System.currentTimeMillis() + cluster.drainTimeoutMs();
    long timer = vertx.setPeriodic(200, t -> {
      boolean othersServe = membership.members().stream().anyMatch(m -> !m.id().equals(membership.self().id())
        && m.state() == Member.State.UP);
      if (held.isEmpty() || !othersServe || System.currentTimeMillis() >= deadline) {
        if (!held.isEmpty() && othersServe) {
          LOG.warn("leaving with {} copies not yet handed over (cluster.drainTimeoutMs)", held.size());
        }
        done.tryComplete();
      }
    });
    // the directory change that took this node's copies out of searches reaches the others within moments: keep
    // serving searches already routed here until it has
    return done.future().onComplete(ar -> vertx.cancelTimer(timer))
      .compose(v -> {
        io.vertx.core.Promise<Void> settled = io.vertx.core.Promise.promise();
        vertx.setTimer(DIRECTORY_SETTLE_MS, t -> settled.complete());
        return settled.future();
      });
  }

  // --- report

  /** {@code {"status","kbs":[{"id","name","tenant","shards":[{"shard","owners","active","loading"}]}]}}. */
  JsonObject report() {
    int live = (int) membership.members().stream().filter(m -> m.state() == Member.State.UP).count();
    int wanted = Math.max(1, Math.min(cluster.replication(), live));
    boolean allFull = true;
    boolean allServed = true;
    JsonArray kbsJson = new JsonArray();
    List<KbRepository.Kb> sorted = new ArrayList<>(catalog.values());
    sorted.sort(Comparator.comparing(KbRepository.Kb::tenant).thenComparing(KbRepository.Kb::name));
    for (KbRepository.Kb kb : sorted) {
      List<List<String>> owners = owners(kb);
      JsonArray shards = new JsonArray();
      for (int s = 0; s < kb.shards(); s++) {
        ShardKey key = new ShardKey(kb.id(), s);
        JsonArray active = new JsonArray();
        JsonArray loadingCopies = new JsonArray();
        directory.copies(key).forEach((node, state) -> (state == ReplicaState.ACTIVE ? active : loadingCopies).add(node));
        allFull &= active.size() >= wanted;
        allServed &= !active.isEmpty();
        shards.add(new JsonObject().put("shard", s).put("owners", new JsonArray(new ArrayList<>(owners.get(s))))
          .put("active", active).put("loading", loadingCopies));
      }
      kbsJson.add(new JsonObject().put("id", kb.id()).put("name", kb.name()).put("tenant", kb.tenant())
        .put("shards", shards));
    }
    String status = allFull ? "green" : allServed ? "yellow" : "red";
    return new JsonObject().put("status", status).put("kbs", kbsJson);
  }

  /** This node's copies and, per knowledge base, how their vector indexes hold vectors, for the status address. */
  JsonObject describe() {
    int chunks = held.values().stream().filter(Replica::active).mapToInt(r -> r.chunks).sum();
    return new JsonObject().put("copies", held.size()).put("activeCopies", count(ReplicaState.ACTIVE))
      .put("chunks", chunks).put("vectorIndexes", vectorMeters.describe());
  }

  /** The shard of {@code documentId} in {@code kb}. */
  static int shardOf(KbRepository.Kb kb, String documentId) {
    return ShardRouter.shardOf(documentId, kb.shards());
  }
}
