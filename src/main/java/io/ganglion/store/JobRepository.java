package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Ingestion jobs: a large batch's documents (kept until the job finishes, so it survives a crash), its progress, and
 * the reason for every document that failed.
 */
public final class JobRepository {

  /** A job a previous process left queued or running, with its counts so far. */
  public record Unfinished(UUID id, String tenant, long kbId, int documents, int done, int failed, int chunks,
                           JsonArray errors) {
  }

  private final Pool pool;

  public JobRepository(Pool pool) {
    this.pool = pool;
  }

  /** Records the job and its documents in one transaction: once this succeeds, the job runs even across a crash. */
  public Future<UUID> create(String tenant, long kbId, List<JsonObject> documents) {
    UUID id = UUID.randomUUID();
    List<Tuple> rows = new java.util.ArrayList<>(documents.size());
    for (int i = 0; i < documents.size(); i++) {
      rows.add(Tuple.of(id, i, documents.get(i)));
    }
    return pool.withTransaction(conn -> conn
        .preparedQuery("insert into ingest_jobs(id, tenant_id, kb_id, status, documents) values ($1, $2, $3, 'queued', $4)")
        .execute(Tuple.of(id, tenant, kbId, documents.size()))
        .compose(v -> conn.preparedQuery("insert into ingest_job_documents(job_id, position, document) values ($1, $2, $3)")
          .executeBatch(rows)))
      .map(v -> id)
      .recover(PgFailures::coded);
  }

  /** Jobs left queued or running by a previous process, oldest first. */
  public Future<List<Unfinished>> unfinished() {
    return pool.query("select id, tenant_id, kb_id, documents, done, failed, chunks, errors from ingest_jobs "
        + "where status in ('queued', 'running') order by created_at")
      .execute()
      .map(rows -> {
        List<Unfinished> jobs = new java.util.ArrayList<>();
        rows.forEach(r -> jobs.add(new Unfinished(r.getUUID("id"), r.getString("tenant_id"), r.getLong("kb_id"),
          r.getInteger("documents"), r.getInteger("done"), r.getInteger("failed"), r.getInteger("chunks"),
          r.getJsonArray("errors"))));
        return jobs;
      })
      .recover(PgFailures::coded);
  }

  /** The job's stored documents from {@code position} on, in order. */
  public Future<List<JsonObject>> documents(UUID id, int position) {
    return pool.preparedQuery("select document from ingest_job_documents where job_id = $1 and position >= $2 order by position")
      .execute(Tuple.of(id, position))
      .map(rows -> {
        List<JsonObject> documents = new java.util.ArrayList<>();
        rows.forEach(r -> documents.add(r.getJsonObject("document")));
        return documents;
      })
      .recover(PgFailures::coded);
  }

  /** The final status; the job's stored documents are no longer needed. */
  public Future<Void> finish(UUID id, String status, int done, int failed, int chunks, JsonArray errors) {
    return pool.withTransaction(conn -> conn
        .preparedQuery("update ingest_jobs set status = $2, done = $3, failed = $4, chunks = $5, errors = $6, "
          + "updated_at = now() where id = $1")
        .execute(Tuple.of(id, status, done, failed, chunks, errors))
        .compose(v -> conn.preparedQuery("delete from ingest_job_documents where job_id = $1").execute(Tuple.of(id))))
      .<Void>mapEmpty()
      .recover(PgFailures::coded);
  }

  /** Records progress: counts so far, errors so far, and the status. */
  public Future<Void> update(UUID id, String status, int done, int failed, int chunks, JsonArray errors) {
    return pool.preparedQuery("update ingest_jobs set status = $2, done = $3, failed = $4, chunks = $5, errors = $6, "
        + "updated_at = now() where id = $1")
      .execute(Tuple.of(id, status, done, failed, chunks, errors))
      .<Void>mapEmpty()
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
        + "j.created_at, j.updated_at from ingest_jobs j join kbs k on k.id = j.kb_id where j.id = $1 and j.tenant_id = $2")
      .execute(Tuple.of(uuid, tenant))
      .map(rows -> rows.size() == 0 ? Optional.<JsonObject>empty() : Optional.of(toJson(rows.iterator().next())))
      .recover(PgFailures::coded);
  }

  static JsonObject toJson(Row row) {
    return new JsonObject().put("id", row.getUUID("id").toString()).put("kb", row.getString("kb"))
      .put("status", row.getString("status")).put("documents", row.getInteger("documents"))
      .put("done", row.getInteger("done")).put("failed", row.getInteger("failed"))
      .put("chunks", row.getInteger("chunks")).put("errors", row.getJsonArray("errors"))
      .put("createdAt", row.getOffsetDateTime("created_at").toString())
      .put("updatedAt", row.getOffsetDateTime("updated_at").toString());
  }
}
