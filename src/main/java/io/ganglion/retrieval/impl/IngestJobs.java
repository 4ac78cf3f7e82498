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
 * Large ingestion requests run as jobs: the documents are stored with the job before the caller hears of it, go
 * through {@link Ingestion} in slices, and after each slice the job's row is updated and its progress published on
 * {@code ganglion.retrieval.job.<id>} (which the SSE route relays). Per-document failures are kept in the job with their
 * reasons. A job a crash cut short is {@link #resume resumed} at the next start from the first document it had not
 * settled, so every document of an accepted job is ingested without being posted again (single node; replacing a
 * document by id makes a document ingested twice harmless).
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

  /**
   * Creates the job with its documents and starts it; the future completes with the job id once both are stored.
   */
  public Future<UUID> start(String tenant, long kbId, List<DocumentInput> inputs, Runnable onFinished) {
    return jobs.create(tenant, kbId, inputs.stream().map(DocumentInput::toJson).toList())
      .onSuccess(id -> execute(kbId, inputs, new Progress(id, inputs.size()), onFinished));
  }

  /**
   * Resumes every job a previous process left queued or running, one after the other, each from its first unsettled
   * document; {@code onFinished} gets each job's knowledge base id when it ends.
   */
  public Future<Integer> resume(java.util.function.LongConsumer onFinished) {
    return jobs.unfinished().compose(unfinished -> {
      Future<Void> chain = Future.succeededFuture();
      for (JobRepository.Unfinished job : unfinished) {
        chain = chain.compose(v -> jobs.documents(job.id(), job.done() + job.failed()).map(stored -> {
          LOG.info("resuming ingest job {}: {} of {} documents left", job.id(), stored.size(), job.documents());
          Progress progress = new Progress(job.id(), job.documents());
          progress.done = job.done();
          progress.failed = job.failed();
          progress.chunks = job.chunks();
          progress.errors.addAll(job.errors());
          List<DocumentInput> inputs = stored.stream().map(DocumentInput::from).toList();
          execute(job.kbId(), inputs, progress, () -> onFinished.accept(job.kbId()));
          return null;
        }));
      }
      return chain.map(v -> unfinished.size());
    });
  }

  private void execute(long kbId, List<DocumentInput> inputs, Progress progress, Runnable onFinished) {
    run(kbId, inputs, 0, progress)
      .onFailure(e -> LOG.error("ingest job {} stopped: {}", progress.id, e.toString()))
      .eventually(() -> {
        onFinished.run();
        return jobs.finish(progress.id, progress.failed == progress.documents ? "failed" : "done", progress.done,
          progress.failed, progress.chunks, progress.errors);
      })
      .onComplete(v -> publish(progress, "done"));
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
