package io.ganglion.retrieval.impl;

import io.ganglion.store.KbRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Takes a validated {@link IngestRequest} into a knowledge base: up to {@code asyncThreshold} documents are ingested
 * while the caller waits, and the reply lists every document's outcome once the shards' owners applied them (a search
 * through any node finds them); more, or any number with {@code "async":true}, run as a durable job
 * ({@link IngestJobs}) and the reply, sent once the job's documents are stored, names it. A job waits for the model
 * however long it is busy; a request the caller waits for is admitted against its deadline
 * ({@link Ingestion#admit}: refused at once with 5030 when the ingestion backlog could not be embedded in time). The knowledge base's change is announced ({@link KbRegistry#announce}) before the
 * caller hears of it.
 * <p>
 * <b>NOTE</b>: call on the retrieval verticle's context.
 */
public final class IngestIntake {

  private final KbRegistry registry;
  private final Ingestion ingestion;
  private final IngestJobs jobs;
  private final int asyncThreshold;

  public IngestIntake(KbRegistry registry, Ingestion ingestion, IngestJobs jobs, int asyncThreshold) {
    this.registry = registry;
    this.ingestion = ingestion;
    this.jobs = jobs;
    this.asyncThreshold = asyncThreshold;
  }

  /**
   * Ingests the request's documents: {@code {"documents":[outcome...]}} (rejected first, then one outcome per accepted
   * document) when done at once, or {@code {"job":{"id","status":"queued","documents"},"rejected":[...]}}.
   *
   * @param deadlineMillis when the caller stops waiting (epoch ms; {@code Long.MAX_VALUE}: no deadline); a job ignores it
   */
  public Future<JsonObject> ingest(KbRepository.Kb kb, IngestRequest request, long deadlineMillis) {
    List<DocumentInput> accepted = request.accepted();
    JsonArray rejected = request.rejected();
    if (accepted.isEmpty()) {
      return Future.succeededFuture(new JsonObject().put("documents", rejected));
    }
    if (accepted.size() > asyncThreshold || request.async()) {
      return jobs.start(kb, accepted)
        .map(id -> new JsonObject().put("job", new JsonObject().put("id", id.toString()).put("status", "queued")
          .put("documents", accepted.size())).put("rejected", rejected));
    }
    // refused before any work when the backlog ahead alone outlasts the deadline; again once the texts are counted
    ingestion.admit(0, deadlineMillis);
    registry.accepted(kb.id(), accepted.size());
    return ingestion.ingest(kb, accepted, deadlineMillis)
      .eventually(() -> {
        registry.settled(kb.id(), accepted.size());
        return Future.succeededFuture();
      })
      // nothing stored, nothing to announce: a versionless announcement would make every cache forget the KB's
      // version, and while PostgreSQL is down (why nothing was stored) its cached answers could not be found again
      .compose(batch -> batch.changes().isEmpty() ? Future.succeededFuture(batch)
        : registry.announce(kb, batch.changes()).map(batch))
      .map(batch -> {
        JsonArray results = rejected.copy();
        batch.outcomes().forEach(o -> results.add(o.toJson()));
        return new JsonObject().put("documents", results);
      });
  }
}
