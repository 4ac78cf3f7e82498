package io.ganglion.retrieval.impl;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.ganglion.retrieval.shard.ChangeBroadcast;
import io.ganglion.store.ChangeLogRepository;
import io.ganglion.store.DocumentRepository;
import io.ganglion.store.JobRepository;
import io.ganglion.store.KbRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Changes a knowledge base's embedding model ({@code PUT /v1/kbs/{kb}} with {@code "model"}) without a pause in its
 * searches:
 * <ol>
 *   <li>a hidden shadow knowledge base is created with the new model ({@link KbRepository#beginModelChange}: refused
 *       with 4090 while another change of the same knowledge base runs) and announced like any new one, so the owners
 *       of its shards on every node hold empty copies of it;</li>
 *   <li>a job of kind {@code model} copies every document with its chunks (text, offsets, metadata as stored: nothing
 *       is parsed or chunked again) into the shadow, re-embedding chunks and sentences with the new model through the
 *       bulk lane, a page at a time, announcing each page to the shadow's owners; searches meanwhile use the old
 *       knowledge base, its copies and its model;</li>
 *   <li>ingestion that arrives meanwhile goes to the old knowledge base and is logged there ({@code kb_changes}); the
 *       job replays that log into the shadow (re-embedding what changed) until a pass finds nothing new;</li>
 *   <li>the switch is one transaction ({@link KbRepository#switchModel}): the shadow takes the public name and the old
 *       knowledge base a hidden one. Every node is told at once ({@code ganglion.retrieval.kb.changed} with
 *       {@code switched}, acknowledged by every node): its name cache drops the old id, so the next search it serves
 *       resolves the new knowledge base and embeds with the new model. A search is never mixed: it resolves one id
 *       and embeds with that id's model against that id's copies, all of which exist on their owners until the old
 *       knowledge base is dropped;</li>
 *   <li>after the switch the old knowledge base's log is still replayed into the new one for
 *       {@value #QUIET_MS} ms after its last change (a request that resolved the old id just before the switch still
 *       lands there), then the old knowledge base is dropped.</li>
 * </ol>
 * A failure (a model error after the retries, PostgreSQL) or a cancellation ({@code DELETE /v1/jobs/{id}}) drops the
 * shadow and leaves the knowledge base on its old model. The job's lease is renewed while it runs; a change whose node
 * stopped (its lease ran out) is failed by the next change of that knowledge base.
 * <p>
 * <b>NOTE</b>: call on the retrieval verticle's context.
 */
public final class ModelChanges {

  private static final Logger LOG = LoggerFactory.getLogger(ModelChanges.class);
  /** Documents copied per page. */
  static final int PAGE = 32;
  /** Changes read from the log at a time. */
  static final int LOG_PAGE = 500;
  /** Replay passes before the switch; what arrives after the last one is replayed after it. */
  static final int PASSES = 3;
  /** How long after its last change the old knowledge base is kept (and its log replayed) once switched. */
  static final long QUIET_MS = 15_000;
  /** How often the old knowledge base's log is read after the switch. */
  static final long TAIL_INTERVAL_MS = 1_000;

  private final Vertx vertx;
  private final KbRepository kbs;
  private final DocumentRepository documents;
  private final ChangeLogRepository changeLog;
  private final JobRepository jobs;
  private final KbRegistry registry;
  private final KbModels models;
  private final ChangeBroadcast broadcast;
  private final ShadowCopy copier;
  private final String owner;
  private final long leaseMs;

  public ModelChanges(Vertx vertx, KbRepository kbs, DocumentRepository documents, ChangeLogRepository changeLog,
                      JobRepository jobs, KbRegistry registry, KbModels models, ChangeBroadcast broadcast,
                      Ingestion ingestion, String nodeId, long leaseMs) {
    this.vertx = vertx;
    this.kbs = kbs;
    this.documents = documents;
    this.changeLog = changeLog;
    this.jobs = jobs;
    this.registry = registry;
    this.models = models;
    this.broadcast = broadcast;
    this.copier = new ShadowCopy(documents, models, ingestion, registry);
    this.owner = nodeId + "/model-" + UUID.randomUUID();
    this.leaseMs = leaseMs;
  }

  /**
   * {@code {"tenant","kb","model"}}: begins the change and answers {@code {"kb","model","job":{"id","status"}}}
   * (202 at the edge); a knowledge base already on that model answers {@code {"kb","model","job":null}}. Fails 4000
   * for a model that is not a loaded embedding model, 4040 for an unknown knowledge base, 4090 while a change runs.
   */
  public Future<JsonObject> change(JsonObject body) {
    if (!(body.getValue("model") instanceof String requested) || requested.isBlank()) {
      return Future.failedFuture(ErrorCode.INVALID_REQUEST.exception("'model' must name an embedding model"));
    }
    return registry.lookup(body).compose(kb -> Future.all(models.resolve(requested), models.of(kb.id()),
        documents.counts(kb.id()))
      .compose(all -> {
        KbModels.ModelRef target = all.resultAt(0);
        KbRepository.Embedding current = all.resultAt(1);
        DocumentRepository.Counts counts = all.resultAt(2);
        JsonObject reply = new JsonObject().put("kb", kb.name()).put("model", target.ref()).put("dims", target.dims());
        if (target.ref().equals(current.model())) {
          return kbs.liveModelChange(kb.id()).compose(running -> running.isEmpty()
            ? Future.succeededFuture(reply.putNull("job"))
            : Future.failedFuture(ErrorCode.CONFLICT.exception("a change of knowledge base '" + kb.name()
              + "' to another model is under way (job " + running.get() + "); wait for it or cancel it")));
        }
        return kbs.beginModelChange(kb, target.ref(), target.dims(), (int) counts.documents(), owner, leaseMs)
          .compose(begun -> {
            begun.abandoned().ifPresent(this::drop);
            return broadcast.created(begun.shadow()).map(v -> {
              new Run(kb, begun.shadow(), begun.job(), target, counts.version(), (int) counts.documents()).start();
              return reply.put("job", new JsonObject().put("id", begun.job().toString()).put("status", "running"));
            });
          });
      }));
  }

  /** Cancels the tenant's running model change {@code {"tenant","id"}}; 4040 when there is none of that id. */
  public Future<JsonObject> cancel(JsonObject body) {
    UUID id;
    try {
      id = UUID.fromString(String.valueOf(body.getValue("id")));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ErrorCode.NOT_FOUND.exception("no running model change with this id"));
    }
    return jobs.cancelModel(KbRegistry.tenant(body), id).compose(cancelled -> cancelled
      ? Future.succeededFuture(new JsonObject().put("cancelled", id.toString()))
      : Future.failedFuture(ErrorCode.NOT_FOUND.exception("no running model change with this id")));
  }

  /** Drops a hidden knowledge base (a shadow that failed, or the old one after a switch) and its copies everywhere. */
  private void drop(KbRepository.Kb hidden) {
    kbs.delete(hidden.tenant(), hidden.name())
      .compose(deleted -> broadcast.deleted(hidden))
      .onFailure(e -> LOG.warn("could not drop hidden knowledge base {} ({}): {}", hidden.id(), hidden.name(),
        e.getMessage()));
  }

  /** One change, from the first page to the old knowledge base dropped. */
  private final class Run {

    private final KbRepository.Kb kb;
    private final KbRepository.Kb shadow;
    private final UUID job;
    private final KbModels.ModelRef target;
    /** The old knowledge base's log is replayed from after this version. */
    private long seen;
    private int total;
    private int done;
    private int chunks;
    private boolean stopped;
    private long renewTimer = -1;

    Run(KbRepository.Kb kb, KbRepository.Kb shadow, UUID job, KbModels.ModelRef target, long startVersion,
        int documents) {
      this.kb = kb;
      this.total = documents;
      this.shadow = shadow;
      this.job = job;
      this.target = target;
      this.seen = startVersion;
    }

    void start() {
      renewTimer = vertx.setPeriodic(Math.max(500, leaseMs / 3), t -> renew());
      copyAll("")
        .compose(v -> replay(0))
        .compose(v -> {
          if (stopped) {
            return Future.failedFuture(cancelled());
          }
          return kbs.switchModel(kb, shadow, job);
        })
        .onSuccess(switched -> {
          vertx.cancelTimer(renewTimer);
          if (switched.isEmpty()) {
            abandon(null);
            return;
          }
          KbRepository.Switched s = switched.get();
          LOG.info("knowledge base {}/{} switched to model {} (id {} -> {})", kb.tenant(), kb.name(), target.ref(),
            kb.id(), shadow.id());
          documents.counts(s.current().id()).map(c -> (Long) c.version()).otherwise((Long) null)
            .compose(version -> broadcast.switched(s.current(), s.old(), version))
            .onComplete(ar -> {
              publish();
              tail(s.old(), s.current(), System.currentTimeMillis());
            });
        })
        .onFailure(this::abandon);
    }

    /** Renews the lease and records progress; a change that is no longer running (cancelled) stops. */
    private void renew() {
      jobs.modelProgress(job, owner, total, done, chunks, leaseMs).onSuccess(running -> {
        if (!running) {
          stopped = true;
        }
      });
    }

    /** Copies every document of the old knowledge base, a page at a time. */
    private Future<Void> copyAll(String after) {
      if (stopped) {
        return Future.failedFuture(cancelled());
      }
      return documents.list(kb.id(), after, PAGE).compose(page -> {
        if (page.isEmpty()) {
          return Future.succeededFuture();
        }
        List<String> ids = page.stream().map(d -> d.getString("id")).toList();
        return copier.copy(kb, shadow, ids, Map.of(), target.ref()).map(n -> chunks += n)
          .compose(copied -> {
            done += ids.size();
            total = Math.max(total, done);
            return jobs.modelProgress(job, owner, total, done, chunks, leaseMs);
          })
          .compose(running -> {
            publish();
            if (!running) {
              stopped = true;
            }
            return page.size() < PAGE ? Future.succeededFuture() : copyAll(ids.get(ids.size() - 1));
          });
      });
    }

    /** Replays the old knowledge base's log into the shadow until a pass finds nothing (at most {@value #PASSES}). */
    private Future<Void> replay(int pass) {
      if (stopped) {
        return Future.failedFuture(cancelled());
      }
      return replayOnce(kb, shadow).compose(found -> found > 0 && pass + 1 < PASSES ? replay(pass + 1)
        : Future.succeededFuture());
    }

    /** Applies the logged changes after {@link #seen} from {@code from} to {@code to}; how many there were. */
    private Future<Integer> replayOnce(KbRepository.Kb from, KbRepository.Kb to) {
      return changeLog.after(from.id(), seen, LOG_PAGE).compose(read -> {
        long floor = read.getKey();
        List<ChangeLogRepository.Logged> changes = read.getValue();
        if (floor > seen) {
          // the log no longer reaches back to what was copied: copy everything again
          return documents.counts(from.id()).compose(c -> {
            long version = c.version();
            return copyAll("").map(v -> {
              seen = Math.max(seen, version);
              return 1;
            });
          });
        }
        if (changes.isEmpty()) {
          return Future.succeededFuture(0);
        }
        Map<String, OffsetDateTime> deletedAt = new HashMap<>();
        LinkedHashMap<String, Boolean> latest = new LinkedHashMap<>();
        for (ChangeLogRepository.Logged c : changes) {
          latest.put(c.documentId(), c.deleted());
          if (c.deleted()) {
            deletedAt.put(c.documentId(), c.changedAt());
          }
        }
        long last = changes.get(changes.size() - 1).version();
        List<String> ids = new ArrayList<>(latest.keySet());
        Future<Void> chain = Future.succeededFuture();
        for (int i = 0; i < ids.size(); i += PAGE) {
          List<String> page = ids.subList(i, Math.min(ids.size(), i + PAGE));
          chain = chain.compose(v -> copier.copy(from, to, page, deletedAt, target.ref()).map(n -> {
            chunks += n;
            return null;
          }));
        }
        return chain.compose(v -> {
          seen = last;
          return changes.size() == LOG_PAGE ? replayOnce(from, to).map(n -> n + changes.size())
            : Future.succeededFuture(changes.size());
        });
      });
    }

    /**
     * After the switch: replays what still lands on the old knowledge base into the new one until it has been quiet
     * for {@value #QUIET_MS} ms, then drops it.
     */
    private void tail(KbRepository.Kb old, KbRepository.Kb current, long lastChange) {
      vertx.setTimer(TAIL_INTERVAL_MS, t -> replayOnce(old, current).onComplete(ar -> {
        if (ar.failed()) {
          // the new knowledge base may be gone (deleted meanwhile): then nothing is left to replay into
          kbs.byId(current.id()).onComplete(found -> {
            if (found.succeeded() && found.result().isEmpty()) {
              drop(old);
            } else {
              LOG.warn("replaying knowledge base {} into {} after its model change failed (trying again): {}",
                old.id(), current.id(), ar.cause().getMessage());
              tail(old, current, lastChange);
            }
          });
          return;
        }
        long last = ar.result() > 0 ? System.currentTimeMillis() : lastChange;
        if (System.currentTimeMillis() - last >= QUIET_MS) {
          drop(old);
        } else {
          tail(old, current, last);
        }
      }));
    }

    /** The change failed or was cancelled: the knowledge base keeps its model, the shadow goes. */
    private void abandon(Throwable failure) {
      vertx.cancelTimer(renewTimer);
      if (failure != null && !isCancel(failure)) {
        LOG.warn("changing the model of knowledge base {}/{} to {} failed: {}", kb.tenant(), kb.name(), target.ref(),
          failure.getMessage(), failure);
      } else {
        LOG.info("the change of knowledge base {}/{} to model {} stopped: its job {} is no longer running", kb.tenant(),
          kb.name(), target.ref(), job);
      }
      ErrorCode code = failure == null ? ErrorCode.CONFLICT : ErrorCode.of(failure);
      JsonObject error = failure == null || isCancel(failure) ? null : new JsonObject().put("code", code.slug())
        .put("message", ErrorCode.unwrap(failure).getMessage());
      Future<Void> finished = error == null ? Future.succeededFuture() : jobs.finishModel(job, false, error);
      finished.eventually(() -> kbs.endModelChange(kb.id(), job))
        .onComplete(ar -> {
          drop(shadow);
          publish();
        });
    }

    private Throwable cancelled() {
      return new CancellationMarker();
    }

    private boolean isCancel(Throwable failure) {
      return failure instanceof CancellationMarker;
    }

    /** The job as it is now on {@code ganglion.retrieval.job.<id>} (the SSE stream of {@code GET /v1/jobs/{id}/events}). */
    private void publish() {
      jobs.get(kb.tenant(), job.toString()).onSuccess(found -> found.ifPresent(json ->
        vertx.eventBus().publish(Addresses.retrievalJob(job.toString()), json)));
    }
  }

  /** The change stopped because its job is no longer running (cancelled, or taken over). */
  private static final class CancellationMarker extends RuntimeException {
    CancellationMarker() {
      super("the model change was cancelled", null, false, false);
    }
  }
}
