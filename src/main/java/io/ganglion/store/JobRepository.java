package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;
import java.util.UUID;

/** Ingestion jobs: a large batch's progress, and the reason for every document that failed. */
public final class JobRepository {

  private final Pool pool;

  public JobRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<UUID> create(String tenant, long kbId, int documents) {
    UUID id = UUID.randomUUID();
    return pool.preparedQuery("insert into ingest_jobs(id, tenant_id, kb_id, status, documents) values ($1, $2, $3, 'queued', $4)")
      .execute(Tuple.of(id, tenant, kbId, documents))
      .map(rows -> id)
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

  /** Jobs left queued or running by a previous process: marked failed at start (their documents were not all stored). */
  public Future<Integer> failInterrupted() {
    return pool.query("update ingest_jobs set status = 'failed', errors = errors || '[{\"error\":\"interrupted by a restart\"}]'::jsonb, "
        + "updated_at = now() where status in ('queued', 'running')")
      .execute().map(rows -> rows.rowCount())
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
