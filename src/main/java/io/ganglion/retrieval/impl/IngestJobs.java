package io.ganglion.retrieval.impl;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.ganglion.retrieval.shard.Shards;
import io.ganglion.store.JobRepository;
import io.ganglion.store.KbRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Large ingestion requests run as durable jobs. The job and every one of its documents are stored in PostgreSQL before
 * the request is answered (202), under a lease held by this node. The documents then go through {@link Ingestion} in
 * slices, in order; after each slice the change is announced to the shards' owners, the job's counts are recorded
 * (they say where the job stands: {@code done + failed} documents are settled) and progress is published on
 * {@code ganglion.retrieval.job.<id>} (on every node: the SSE route relays it). Per-document failures are kept in the
 * job with their reasons. Before each slice the job asks whether every node that will hold the slice's vectors has
 * room ({@link io.ganglion.retrieval.shard.ClusterCapacity}); while one is short of heap or disk the job waits (its
 * lease renewed, progress published with {@code "waiting":{"code":"capacity","message"}}) and goes on once it has
 * room. A slice in which some document was refused for capacity all the same (a node filled up meanwhile) is not
 * recorded: it runs again after the wait (its stored documents replace themselves), so no accepted document fails
 * because a node was full.
 * <p>
 * Every node renews the leases of the jobs it runs every third of {@code retrieval.jobLeaseMs} and, as often, claims
 * a job whose lease ran out (its node died) and carries it on from its first unsettled document: an accepted document
 * is never lost, and one ingested again after a crash replaces itself. A restarted node frees its predecessor's jobs
 * at once; a node stopping cleanly frees its own. Nothing is failed because a node started.
 * <p>
 * <b>NOTE</b>: call on the retrieval verticle's context.
 */
public final class IngestJobs {

  private static final Logger LOG = LoggerFactory.getLogger(IngestJobs.class);

  /** Documents per slice: enough chunks to keep the embedding batcher's batches full. */
  static final int SLICE = 32;
  /** Jobs one node runs at the same time (the rest wait for a node with room). */
  static final int MAX_RUNNING = 2;
  /** How long a job waits before it asks again whether the nodes holding its next slice have room. */
  static final long CAPACITY_WAIT_MS = 1_000;

  private final Vertx vertx;
  private final Ingestion ingestion;
  private final JobRepository jobs;
  private final KbRegistry registry;
  private final Shards shards;
  private final String nodeId;
  private final String owner;
  private final long leaseMs;
  private final Set<UUID> running = new HashSet<>();
  private long timer = -1;
  private boolean claiming;

  /**
   * @param nodeId  {@code cluster.nodeId}; the lease owner is {@code <nodeId>/<process>}
   * @param leaseMs {@code retrieval.jobLeaseMs}
   */
  public IngestJobs(Vertx vertx, Ingestion ingestion, JobRepository jobs, KbRegistry registry, Shards shards,
                    String nodeId, long leaseMs) {
    this.vertx = vertx;
    this.ingestion = ingestion;
    this.jobs = jobs;
    this.registry = registry;
    this.shards = shards;
    this.nodeId = nodeId;
    this.owner = nodeId + "/" + UUID.randomUUID();
    this.leaseMs = leaseMs;
  }

  /** Frees the jobs a previous process of this node held, claims unheld ones, and renews and claims from now on. */
  public Future<Void> start() {
    return jobs.expireLeases(nodeId, owner)
      .onSuccess(n -> {
        if (n > 0) {
          LOG.info("resuming {} ingestion jobs a previous process of {} held", n, nodeId);
        }
        timer = vertx.setPeriodic(Math.max(200, leaseMs / 3), t -> tick());
        tick();
      })
      .mapEmpty();
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /**
   * Lets other nodes take over this node's running jobs at once (a clean stop): their leases end now, so they need
   * not run out first. This node claims nothing more.
   */
  public Future<Void> release() {
    stop();
    running.clear();
    return jobs.expireLeases(nodeId, "").<Void>mapEmpty().otherwise((Void) null);
  }

  /**
   * Stores a job of {@code inputs} for {@code kb} and starts it here; the future completes with the job id once the
   * job and all its documents are in PostgreSQL.
   */
  public Future<UUID> start(KbRepository.Kb kb, List<DocumentInput> inputs) {
    return jobs.create(kb.tenant(), kb.id(), inputs.stream().map(DocumentInput::toJson).toList(), owner, leaseMs)
      .onSuccess(id -> run(new JobRepository.Held(id, kb.tenant(), kb.id(), inputs.size(), 0, 0, 0, new JsonArray())));
  }

  private void tick() {
    if (!running.isEmpty()) {
      jobs.renew(List.copyOf(running), owner, leaseMs).onSuccess(kept -> {
        for (UUID id : List.copyOf(running)) {
          if (!kept.contains(id)) {
            LOG.warn("lost the lease of ingestion job {}; another node carries it on", id);
            running.remove(id);
          }
        }
      }).onFailure(e -> LOG.debug("renewing job leases failed: {}", e.toString()));
    }
    if (running.size() < MAX_RUNNING && !claiming && timer >= 0) {
      claiming = true;
      jobs.claim(owner, leaseMs)
        .onSuccess(held -> held.ifPresent(job -> {
          LOG.info("resuming ingestion job {}: {} of {} documents left", job.id(), job.documents() - job.next(),
            job.documents());
          run(job);
        }))
        .onComplete(ar -> claiming = false);
    }
  }

  private void run(JobRepository.Held job) {
    KbRepository.Kb kb = shards.kb(job.kbId());
    if (kb == null) {
      // the knowledge base is gone (its jobs went with it) or this node has not heard of it yet: the lease runs out
      return;
    }
    running.add(job.id());
    Progress progress = new Progress(job);
    slices(kb, progress)
      .onFailure(e -> LOG.warn("ingestion job {} paused ({}); it resumes when its lease runs out", job.id(), e.toString()))
      .onComplete(ar -> running.remove(job.id()));
  }

  private Future<Void> slices(KbRepository.Kb kb, Progress progress) {
    if (!running.contains(progress.id)) {
      return Future.succeededFuture(); // the lease was lost, or this node is stopping
    }
    return jobs.documents(progress.id, progress.next(), SLICE).compose(stored -> {
      if (stored.isEmpty()) {
        return jobs.finish(progress.id, owner, progress.done, progress.failed, progress.chunks, progress.errors)
          .map(finished -> {
            if (finished) {
              publish(progress, progress.failed == progress.documents ? "failed" : "done");
            }
            return null;
          });
      }
      List<DocumentInput> inputs = new ArrayList<>();
      List<JsonObject> unreadable = new ArrayList<>();
      for (JsonObject doc : stored) {
        try {
          inputs.add(DocumentInput.from(doc));
        } catch (ReplyException e) {
          unreadable.add(new JsonObject().put("id", doc.getValue("id")).put("status", "failed")
            .put("error", new JsonObject().put("code", "invalid_request").put("message", e.getMessage())));
        }
      }
      java.util.Set<Integer> targets = new java.util.TreeSet<>();
      inputs.forEach(d -> targets.add(Shards.shardOf(kb, d.id())));
      var full = shards.capacity().shortage(kb, targets);
      if (full.isPresent()) {
        return waitForRoom(kb, progress, full.get());
      }
      registry.accepted(kb.id(), inputs.size());
      return ingestion.ingest(kb, inputs)
        .eventually(() -> {
          registry.settled(kb.id(), inputs.size());
          return Future.succeededFuture();
        })
        .compose(batch -> registry.announce(kb, batch.changes()).map(batch))
        .compose(batch -> {
          var refused = batch.outcomes().stream().filter(o -> o.error() == ErrorCode.CAPACITY).findFirst();
          if (refused.isPresent()) {
            return waitForRoom(kb, progress, refused.get().message()).map(v -> (Boolean) null);
          }
          progress.waiting = null;
          progress.failed += unreadable.size();
          unreadable.forEach(progress.errors::add);
          for (Ingestion.Outcome o : batch.outcomes()) {
            if (o.ok()) {
              progress.done++;
              progress.chunks += o.chunks();
            } else {
              progress.failed++;
              progress.errors.add(o.toJson());
            }
          }
          return jobs.progress(progress.id, owner, progress.done, progress.failed, progress.chunks, progress.errors);
        })
        .compose(held -> {
          if (held == null) {
            return Future.succeededFuture(); // waited for room, and went on from there
          }
          if (!held) {
            running.remove(progress.id);
            return Future.succeededFuture();
          }
          publish(progress, "running");
          return slices(kb, progress);
        });
    });
  }

  /**
   * Waits {@link #CAPACITY_WAIT_MS} (the lease is renewed meanwhile: the job stays in {@code running}), then carries
   * on from the same slice; progress is published with the reason at every wait.
   */
  private Future<Void> waitForRoom(KbRepository.Kb kb, Progress progress, String reason) {
    if (progress.waiting == null) {
      LOG.info("ingestion job {} waits for room: {}", progress.id, reason);
    }
    progress.waiting = reason;
    // at every wait, so a progress stream opened meanwhile learns it too (the stream relays changes only)
    publish(progress, "running");
    io.vertx.core.Promise<Void> resumed = io.vertx.core.Promise.promise();
    vertx.setTimer(CAPACITY_WAIT_MS, t -> slices(kb, progress).onComplete(resumed));
    return resumed.future();
  }

  /**
   * {@code {"id","status","documents","done","failed","chunks"}} on {@code ganglion.retrieval.job.<id>}, and
   * {@code "waiting":{"code":"capacity","message"}} while the job waits for room on a node holding its next slice.
   */
  private void publish(Progress progress, String status) {
    JsonObject event = new JsonObject()
      .put("id", progress.id.toString()).put("status", status).put("documents", progress.documents)
      .put("done", progress.done).put("failed", progress.failed).put("chunks", progress.chunks);
    if (progress.waiting != null) {
      event.put("waiting", new JsonObject().put("code", ErrorCode.CAPACITY.slug()).put("message", progress.waiting));
    }
    vertx.eventBus().publish(Addresses.retrievalJob(progress.id.toString()), event);
  }

  /** Where a job stands, as this node carries it on. */
  private static final class Progress {
    final UUID id;
    final int documents;
    int done;
    int failed;
    int chunks;
    final JsonArray errors;
    /** Why the job waits for room, or null. */
    String waiting;

    Progress(JobRepository.Held job) {
      this.id = job.id();
      this.documents = job.documents();
      this.done = job.done();
      this.failed = job.failed();
      this.chunks = job.chunks();
      this.errors = job.errors() == null ? new JsonArray() : job.errors().copy();
    }

    int next() {
      return done + failed;
    }
  }
}
