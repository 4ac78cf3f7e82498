package io.ganglion.retrieval.impl;

import io.ganglion.bus.Addresses;
import io.ganglion.retrieval.shard.Shards;
import io.ganglion.store.JobRepository;
import io.ganglion.store.KbRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Large ingestion requests run as durable jobs. The job and every one of its documents are stored in PostgreSQL before
 * the request is answered (202), under a lease held by this node. The documents then go through {@link Ingestion} in
 * slices; after each slice the change is announced to the shards' owners, the documents are marked indexed or failed,
 * and progress is published on {@code ganglion.retrieval.job.<id>} (on every node: the SSE route relays it).
 * <p>
 * Every node renews the leases of the jobs it runs every third of {@code retrieval.jobLeaseMs} and, as often, claims
 * a job whose lease ran out (its node died) and carries on with the documents still pending: an accepted document is
 * never lost, and a document re-ingested after a crash replaces itself. A restarted node frees its predecessor's jobs
 * at once. Nothing is failed because a node started.
 * <p>
 * <b>NOTE</b>: call on the retrieval verticle's context.
 */
public final class IngestJobs {

  private static final Logger LOG = LoggerFactory.getLogger(IngestJobs.class);

  /** Documents per slice: enough chunks to keep the embedding batcher's batches full. */
  static final int SLICE = 32;
  /** Jobs one node runs at the same time (the rest wait for a node with room). */
  static final int MAX_RUNNING = 2;

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
    List<JsonObject> stored = inputs.stream().map(DocumentInput::toJson).toList();
    return jobs.create(kb.tenant(), kb.id(), stored, owner, leaseMs)
      .onSuccess(id -> run(new JobRepository.Held(id, kb.tenant(), kb.id(), inputs.size())));
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
    if (running.size() < MAX_RUNNING && !claiming) {
      claiming = true;
      jobs.claim(owner, leaseMs)
        .onSuccess(held -> held.ifPresent(job -> {
          LOG.info("resuming ingestion job {} ({} documents) whose lease ran out", job.id(), job.documents());
          run(job);
        }))
        .onComplete(ar -> claiming = false);
    }
  }

  private void run(JobRepository.Held job) {
    running.add(job.id());
    KbRepository.Kb kb = shards.kb(job.kbId());
    if (kb == null) {
      // the knowledge base was deleted (the job's rows went with it) or this node has not seen it yet
      running.remove(job.id());
      return;
    }
    slices(kb, job)
      .onFailure(e -> LOG.warn("ingestion job {} paused ({}); it resumes when its lease runs out", job.id(), e.toString()))
      .onComplete(ar -> running.remove(job.id()));
  }

  private Future<Void> slices(KbRepository.Kb kb, JobRepository.Held job) {
    if (!running.contains(job.id())) {
      return Future.succeededFuture(); // the lease was lost
    }
    return jobs.pending(job.id(), SLICE).compose(pending -> {
      if (pending.isEmpty()) {
        return jobs.finish(job.id(), owner).compose(v -> jobs.get(kb.tenant(), job.id().toString()))
          .map(done -> {
            done.ifPresent(this::publish);
            return null;
          });
      }
      List<DocumentInput> inputs = new ArrayList<>();
      Map<Integer, Integer> seqOf = new HashMap<>();
      List<JobRepository.Settled> unreadable = new ArrayList<>();
      for (JobRepository.PendingDocument d : pending) {
        try {
          inputs.add(DocumentInput.from(d.input()));
          seqOf.put(inputs.size() - 1, d.seq());
        } catch (ReplyException e) {
          unreadable.add(new JobRepository.Settled(d.seq(), false, 0, new JsonObject().put("id", d.input().getValue("id"))
            .put("status", "failed").put("error", new JsonObject().put("code", "invalid_request")
              .put("message", e.getMessage()))));
        }
      }
      registry.accepted(kb.id(), inputs.size());
      return ingestion.ingest(kb, inputs)
        .eventually(() -> {
          registry.settled(kb.id(), inputs.size());
          return Future.succeededFuture();
        })
        .compose(batch -> registry.announce(kb, batch.changes()).map(batch))
        .compose(batch -> {
          List<JobRepository.Settled> settled = new ArrayList<>(unreadable);
          for (int i = 0; i < batch.outcomes().size(); i++) {
            Ingestion.Outcome o = batch.outcomes().get(i);
            settled.add(new JobRepository.Settled(seqOf.get(i), o.ok(), o.chunks(), o.ok() ? null : o.toJson()));
          }
          return jobs.settle(job.id(), owner, settled);
        })
        .compose(held -> {
          if (!held) {
            running.remove(job.id());
            return Future.succeededFuture();
          }
          return jobs.get(kb.tenant(), job.id().toString()).compose(progress -> {
            progress.ifPresent(this::publish);
            return slices(kb, job);
          });
        });
    });
  }

  /** {@code {"id","status","documents","done","failed","chunks"}} on {@code ganglion.retrieval.job.<id>}. */
  private void publish(JsonObject job) {
    vertx.eventBus().publish(Addresses.retrievalJob(job.getString("id")), new JsonObject()
      .put("id", job.getString("id")).put("status", job.getString("status")).put("documents", job.getInteger("documents"))
      .put("done", job.getInteger("done")).put("failed", job.getInteger("failed")).put("chunks", job.getInteger("chunks")));
  }
}
