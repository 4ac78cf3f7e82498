package io.ganglion.retrieval.impl;

import io.ganglion.bus.Addresses;
import io.ganglion.store.JobRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;

/**
 * Large ingestion requests run as jobs: the documents go through {@link Ingestion} in slices, and after each slice
 * the job's row is updated and its progress published on {@code ganglion.retrieval.job.<id>} (which the SSE route
 * relays). Per-document failures are kept in the job with their reasons.
 */
public final class IngestJobs {

  private static final Logger LOG = LoggerFactory.getLogger(IngestJobs.class);

  /** Documents per slice: enough chunks to keep the embedding batcher's batches full. */
  static final int SLICE = 32;

  private final Vertx vertx;
  private final Ingestion ingestion;
  private final JobRepository jobs;

  public IngestJobs(Vertx vertx, Ingestion ingestion, JobRepository jobs) {
    this.vertx = vertx;
    this.ingestion = ingestion;
    this.jobs = jobs;
  }

  /** Creates the job and starts it; the future completes with the job id once the job is recorded. */
  public Future<UUID> start(String tenant, long kbId, List<DocumentInput> inputs, Runnable onFinished) {
    return jobs.create(tenant, kbId, inputs.size()).onSuccess(id -> {
      Progress progress = new Progress(id, inputs.size());
      run(kbId, inputs, 0, progress)
        .onFailure(e -> LOG.error("ingest job {} stopped: {}", id, e.toString()))
        .eventually(() -> {
          onFinished.run();
          return jobs.update(id, progress.failed == inputs.size() ? "failed" : "done", progress.done, progress.failed,
            progress.chunks, progress.errors);
        })
        .onComplete(v -> publish(progress, "done"));
    });
  }

  private Future<Void> run(long kbId, List<DocumentInput> inputs, int from, Progress progress) {
    if (from >= inputs.size()) {
      return Future.succeededFuture();
    }
    List<DocumentInput> slice = inputs.subList(from, Math.min(inputs.size(), from + SLICE));
    return ingestion.ingest(kbId, slice)
      .compose(outcomes -> {
        for (Ingestion.Outcome outcome : outcomes) {
          if (outcome.ok()) {
            progress.done++;
            progress.chunks += outcome.chunks();
          } else {
            progress.failed++;
            progress.errors.add(outcome.toJson());
          }
        }
        publish(progress, "running");
        return jobs.update(progress.id, "running", progress.done, progress.failed, progress.chunks, progress.errors);
      })
      .compose(v -> run(kbId, inputs, from + SLICE, progress));
  }

  private void publish(Progress progress, String status) {
    vertx.eventBus().publish(Addresses.retrievalJob(progress.id.toString()), new JsonObject()
      .put("id", progress.id.toString()).put("status", status).put("documents", progress.documents)
      .put("done", progress.done).put("failed", progress.failed).put("chunks", progress.chunks));
  }

  private static final class Progress {
    final UUID id;
    final int documents;
    int done;
    int failed;
    int chunks;
    final JsonArray errors = new JsonArray();

    Progress(UUID id, int documents) {
      this.id = id;
      this.documents = documents;
    }
  }
}
