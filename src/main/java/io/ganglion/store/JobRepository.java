package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Ingestion jobs, durable: a job and all its documents are stored in one transaction before the job is accepted, its
 * documents are ingested in order and settled by the job's counts ({@code done + failed} is the first document not yet
 * settled), and they are removed when the job finishes. A running job is held under a node lease
 * ({@code lease_owner}, {@code lease_expires_at}) that its node renews; when a node dies its lease runs out and another
 * node claims the job ({@code FOR UPDATE SKIP LOCKED}, so two nodes never take the same one) and carries on from its
 * first unsettled document. Nothing is ever failed because a node started. Failures are coded by {@link PgFailures}.
 */
public final class JobRepository {

  /** A job a node holds, with its counts so far: enough to carry it on. */
  public record Held(UUID id, String tenant, long kbId, int documents, int done, int failed, int chunks,
                     JsonArray errors) {

    /** The position of the first document not yet settled. */
    public int next() {
      return done + failed;
    }
  }

  private static final String HELD_COLUMNS = "id, tenant_id, kb_id, documents, done, failed, chunks, errors";

  private final Pool pool;

  public JobRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Stores a job of {@code documents} (one JSON document each), held by {@code owner} for {@code leaseMs}; the job
   * exists, documents and all, once this completes.
   */
  public Future<UUID> create(String tenant, long kbId, List<JsonObject> documents, String owner, long leaseMs) {
    UUID id = UUID.randomUUID();
    List<Tuple> rows = new ArrayList<>(documents.size());
    for (int i = 0; i < documents.size(); i++) {
      rows.add(Tuple.of(id, i, documents.get(i)));
    }
    return pool.withTransaction(conn -> conn.preparedQuery("insert into ingest_jobs(id, tenant_id, kb_id, status, "
          + "documents, lease_owner, lease_expires_at) values ($1, $2, $3, 'queued', $4, $5, now() + $6 * interval '1 ms')")
        .execute(Tuple.of(id, tenant, kbId, documents.size(), owner, leaseMs))
        .compose(v -> conn.preparedQuery("insert into ingest_job_documents(job_id, position, document) values ($1, $2, $3)")
          .executeBatch(rows)))
      .map(v -> id)
      .recover(PgFailures::coded);
  }

  /**
   * Takes the oldest unfinished job whose lease has run out (or that no node holds) for {@code owner}; empty when
   * there is none. Concurrent claimers skip each other's rows, so each job goes to one node.
   */
  public Future<Optional<Held>> claim(String owner, long leaseMs) {
    return pool.preparedQuery("update ingest_jobs set lease_owner = $1, lease_expires_at = now() + $2 * interval '1 ms', "
        + "updated_at = now() where id = (select id from ingest_jobs where status in ('queued', 'running') and kind = 'ingest' "
        + "and (lease_expires_at is null or lease_expires_at < now()) order by created_at limit 1 for update skip locked) "
        + "returning " + HELD_COLUMNS)
      .execute(Tuple.of(owner, leaseMs))
      .map(rows -> rows.size() == 0 ? Optional.<Held>empty() : Optional.of(held(rows.iterator().next())))
      .recover(PgFailures::coded);
  }

  /** Extends {@code owner}'s leases on {@code ids}; returns the ids it still holds (a lost lease is another node's). */
  public Future<List<UUID>> renew(List<UUID> ids, String owner, long leaseMs) {
    return pool.preparedQuery("update ingest_jobs set lease_expires_at = now() + $3 * interval '1 ms' "
        + "where id = any($1) and lease_owner = $2 and status in ('queued', 'running') returning id")
      .execute(Tuple.of(ids.toArray(UUID[]::new), owner, leaseMs))
      .map(rows -> {
        List<UUID> kept = new ArrayList<>();
        rows.forEach(r -> kept.add(r.getUUID("id")));
        return kept;
      })
      .recover(PgFailures::coded);
  }

  /**
   * Ends now the leases of node {@code nodeId}'s jobs ({@code <nodeId>/…}) except those of {@code exceptOwner}, so
   * other nodes claim them at once: at start, for a previous process of this node (it is gone, no point waiting for
   * its leases to run out); at a clean stop, for this process ({@code exceptOwner} empty).
   */
  public Future<Integer> expireLeases(String nodeId, String exceptOwner) {
    return pool.preparedQuery("update ingest_jobs set lease_expires_at = now() where lease_owner like $1 "
        + "and lease_owner <> $2 and status in ('queued', 'running')")
      .execute(Tuple.of(nodeId + "/%", exceptOwner))
      .map(rows -> rows.rowCount())
      .recover(PgFailures::coded);
  }

  /** Up to {@code limit} of the job's stored documents from {@code position} on, in order. */
  public Future<List<JsonObject>> documents(UUID id, int position, int limit) {
    return pool.preparedQuery("select document from ingest_job_documents where job_id = $1 and position >= $2 "
        + "order by position limit $3")
      .execute(Tuple.of(id, position, limit))
      .map(rows -> {
        List<JsonObject> documents = new ArrayList<>();
        rows.forEach(r -> documents.add(r.getJsonObject("document")));
        return documents;
      })
      .recover(PgFailures::coded);
  }

  /**
   * Records progress (counts so far, errors so far, status running) if {@code owner} still holds the job; returns
   * whether it does (when not, another node has taken the job over and this one stops).
   */
  public Future<Boolean> progress(UUID id, String owner, int done, int failed, int chunks, JsonArray errors) {
    return pool.preparedQuery("update ingest_jobs set status = 'running', done = $3, failed = $4, chunks = $5, errors = $6, "
        + "updated_at = now() where id = $1 and lease_owner = $2")
      .execute(Tuple.of(id, owner, done, failed, chunks, errors))
      .map(rows -> rows.rowCount() == 1)
      .recover(PgFailures::coded);
  }

  /**
   * The final status (failed when every document failed), if {@code owner} still holds the job; the lease is released
   * and the job's stored documents are no longer needed. Queues {@code job.completed} or {@code job.failed} for the
   * tenant's webhooks in the same transaction.
   */
  public Future<Boolean> finish(UUID id, String owner, int done, int failed, int chunks, JsonArray errors) {
    return pool.withTransaction(conn -> conn.preparedQuery("update ingest_jobs j set status = case when $4 = j.documents "
          + "then 'failed' else 'done' end, done = $3, failed = $4, chunks = $5, errors = $6, lease_owner = null, "
          + "lease_expires_at = null, updated_at = now() from kbs k where k.id = j.kb_id and j.id = $1 and j.lease_owner = $2 "
          + "returning j.id, k.name as kb, j.tenant_id, j.status, j.documents, j.done, j.failed, j.chunks, j.errors, "
          + "j.created_at, j.updated_at")
        .execute(Tuple.of(id, owner, done, failed, chunks, errors))
        .compose(updated -> {
          if (updated.rowCount() == 0) {
            return Future.succeededFuture(false);
          }
          Row job = updated.iterator().next();
          WebhookEvent event = "failed".equals(job.getString("status")) ? WebhookEvent.JOB_FAILED : WebhookEvent.JOB_COMPLETED;
          return conn.preparedQuery("delete from ingest_job_documents where job_id = $1").execute(Tuple.of(id))
            // in the job's own transaction: the event exists exactly when the job's end does
            .compose(v -> event.enqueue(conn, job.getString("tenant_id"), toJson(job)))
            .map(v -> true);
        }))
      .recover(PgFailures::coded);
  }

  /** Documents of the knowledge base's unfinished jobs not yet settled (they count as pending). */
  public Future<Long> pendingDocuments(long kbId) {
    return pool.preparedQuery("select coalesce(sum(documents - done - failed), 0) as n from ingest_jobs "
        + "where kb_id = $1 and status in ('queued', 'running') and kind = 'ingest'")
      .execute(Tuple.of(kbId))
      .map(rows -> rows.iterator().next().getLong("n"))
      .recover(PgFailures::coded);
  }

  /** The job as JSON, if it exists and belongs to {@code tenant}. */
  public Future<Optional<JsonObject>> get(String tenant, String id) {
    UUID uuid;
    try {
      uuid = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(Optional.empty());
    }
    return pool.preparedQuery("select j.id, k.name as kb, j.status, j.documents, j.done, j.failed, j.chunks, j.errors, "
        + "j.kind, j.model, j.created_at, j.updated_at from ingest_jobs j join kbs k on k.id = j.kb_id where j.id = $1 and j.tenant_id = $2")
      .execute(Tuple.of(uuid, tenant))
      .map(rows -> rows.size() == 0 ? Optional.<JsonObject>empty() : Optional.of(toJson(rows.iterator().next())))
      .recover(PgFailures::coded);
  }

  private static Held held(Row r) {
    return new Held(r.getUUID("id"), r.getString("tenant_id"), r.getLong("kb_id"), r.getInteger("documents"),
      r.getInteger("done"), r.getInteger("failed"), r.getInteger("chunks"), r.getJsonArray("errors"));
  }

  static JsonObject toJson(Row row) {
    JsonObject json = new JsonObject().put("id", row.getUUID("id").toString()).put("kb", row.getString("kb"))
      .put("status", row.getString("status")).put("documents", row.getInteger("documents"))
      .put("done", row.getInteger("done")).put("failed", row.getInteger("failed"))
      .put("chunks", row.getInteger("chunks")).put("errors", row.getJsonArray("errors"))
      .put("createdAt", row.getOffsetDateTime("created_at").toString())
      .put("updatedAt", row.getOffsetDateTime("updated_at").toString());
    if ("model".equals(row.getString("kind"))) {
      json.put("kind", "model").put("model", row.getString("model"));
    }
    return json;
  }

  // --- model changes: a job of kind 'model' re-embeds a knowledge base; 'documents' counts what it copies

  /**
   * Stores a running model-change job of {@code kbId} towards {@code model}, held by {@code owner} for
   * {@code leaseMs}, inside the caller's transaction.
   */
  static Future<Void> createModelChange(SqlConnection conn, UUID id, String tenant, long kbId,
                                        long targetKbId, String model, int documents, String owner, long leaseMs) {
    return conn.preparedQuery("insert into ingest_jobs(id, tenant_id, kb_id, status, documents, kind, model, target_kb_id, "
        + "lease_owner, lease_expires_at) values ($1, $2, $3, 'running', $4, 'model', $5, $6, $7, now() + $8 * interval '1 ms')")
      .execute(Tuple.of(id, tenant, kbId, documents, model, targetKbId, owner, leaseMs))
      .mapEmpty();
  }

  /**
   * Records a model change's progress and renews its lease; false when the job is no longer running under
   * {@code owner} (it was cancelled, or taken over after its lease ran out), and the change must stop.
   */
  public Future<Boolean> modelProgress(UUID id, String owner, int documents, int done, int chunks, long leaseMs) {
    return pool.preparedQuery("update ingest_jobs set documents = $3, done = $4, chunks = $5, updated_at = now(), "
        + "lease_expires_at = now() + $6 * interval '1 ms' where id = $1 and lease_owner = $2 and status = 'running'")
      .execute(Tuple.of(id, owner, documents, done, chunks, leaseMs))
      .map(rows -> rows.rowCount() == 1)
      .recover(PgFailures::coded);
  }

  /** Ends a model change as {@code done}, or {@code failed} with {@code error} ({@code {"code","message"}}). */
  public Future<Void> finishModel(UUID id, boolean done, JsonObject error) {
    return pool.preparedQuery("update ingest_jobs set status = $2, errors = $3, lease_owner = null, "
        + "lease_expires_at = null, updated_at = now() where id = $1 and status = 'running'")
      .execute(Tuple.of(id, done ? "done" : "failed", error == null ? new JsonArray()
        : new JsonArray().add(modelError(error.getString("code"), error.getString("message")))))
      .<Void>mapEmpty()
      .recover(PgFailures::coded);
  }

  /** Why a model change failed, shaped as a failed document of an ingestion job: {@code {"id":null,"status","error"}}. */
  static JsonObject modelError(String code, String message) {
    return new JsonObject().putNull("id").put("status", "failed")
      .put("error", new JsonObject().put("code", code).put("message", message));
  }

  /** Cancels the tenant's running model change {@code id}; false when there is none of that id running. */
  public Future<Boolean> cancelModel(String tenant, UUID id) {
    return pool.preparedQuery("update ingest_jobs set status = 'failed', errors = $3, lease_owner = null, "
        + "lease_expires_at = null, updated_at = now() where id = $1 and tenant_id = $2 and kind = 'model' "
        + "and status = 'running'")
      .execute(Tuple.of(id, tenant, new JsonArray().add(modelError("cancelled",
        "the model change was cancelled; the knowledge base keeps its model"))))
      .map(rows -> rows.rowCount() == 1)
      .recover(PgFailures::coded);
  }
}
