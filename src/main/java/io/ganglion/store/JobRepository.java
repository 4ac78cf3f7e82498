package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Ingestion jobs, durable: a job and all its documents are stored in one transaction before the job is accepted, and
 * each document is marked indexed or failed as its slice completes. A running job is held under a node lease
 * ({@code lease_owner}, {@code lease_expires_at}) that its node renews; when a node dies its lease runs out and
 * another node claims the job ({@code FOR UPDATE SKIP LOCKED}, so two nodes never take the same one) and carries on
 * with the documents still pending. Nothing is ever failed because a node started. Failures are coded by
 * {@link PgFailures}.
 */
public final class JobRepository {

  /** A job a node holds: enough to run it. */
  public record Held(UUID id, String tenant, long kbId, int documents) {
  }

  /** A stored document of a job, as the request gave it. */
  public record PendingDocument(int seq, JsonObject input) {
  }

  /** What became of one document of a job. */
  public record Settled(int seq, boolean indexed, int chunks, JsonObject error) {
  }

  private final Pool pool;

  public JobRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Stores a job of {@code inputs} (one JSON document each), held by {@code owner} for {@code leaseMs}; the job
   * exists, documents and all, once this completes.
   */
  public Future<UUID> create(String tenant, long kbId, List<JsonObject> inputs, String owner, long leaseMs) {
    UUID id = UUID.randomUUID();
    List<Tuple> documents = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      documents.add(Tuple.of(id, i, inputs.get(i)));
    }
    return pool.withTransaction(conn -> conn.preparedQuery("insert into ingest_jobs(id, tenant_id, kb_id, status, "
          + "documents, lease_owner, lease_expires_at) values ($1, $2, $3, 'queued', $4, $5, now() + $6 * interval '1 ms')")
        .execute(Tuple.of(id, tenant, kbId, inputs.size(), owner, leaseMs))
        .compose(v -> conn.preparedQuery("insert into ingest_job_documents(job_id, seq, input) values ($1, $2, $3)")
          .executeBatch(documents)))
      .map(rows -> id)
      .recover(PgFailures::coded);
  }

  /**
   * Takes the oldest unfinished job whose lease has run out (or that no node holds) for {@code owner}; empty when
   * there is none. Concurrent claimers skip each other's rows, so each job goes to one node.
   */
  public Future<Optional<Held>> claim(String owner, long leaseMs) {
    return pool.preparedQuery("update ingest_jobs set lease_owner = $1, lease_expires_at = now() + $2 * interval '1 ms', "
        + "status = 'running', updated_at = now() where id = (select id from ingest_jobs where status in ('queued', 'running') "
        + "and (lease_expires_at is null or lease_expires_at < now()) order by created_at limit 1 for update skip locked) "
        + "returning id, tenant_id, kb_id, documents")
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
  public Future<Integer> expireLeases(String nodeId, String owner) {
    return pool.preparedQuery("update ingest_jobs set lease_expires_at = now() where lease_owner like $1 "
        + "and lease_owner <> $2 and status in ('queued', 'running')")
      .execute(Tuple.of(nodeId + "/%", owner))
      .map(rows -> rows.rowCount())
      .recover(PgFailures::coded);
  }

  /** Up to {@code limit} documents of the job still to ingest, in order. */
  public Future<List<PendingDocument>> pending(UUID job, int limit) {
    return pool.preparedQuery("select seq, input from ingest_job_documents where job_id = $1 and status = 'pending' "
        + "order by seq limit $2")
      .execute(Tuple.of(job, limit))
      .map(rows -> {
        List<PendingDocument> out = new ArrayList<>();
        rows.forEach(r -> out.add(new PendingDocument(r.getInteger("seq"), r.getJsonObject("input"))));
        return out;
      })
      .recover(PgFailures::coded);
  }

  /**
   * Records a slice's outcomes and the job's counts from them, if {@code owner} still holds the job; returns whether
   * it does (when not, another node has taken the job over and this one stops).
   */
  public Future<Boolean> settle(UUID job, String owner, List<Settled> outcomes) {
    List<Tuple> rows = outcomes.stream().map(o -> Tuple.of(job, o.seq(), o.indexed() ? "indexed" : "failed", o.error(),
      o.chunks())).toList();
    return pool.withTransaction(conn -> conn.preparedQuery("select 1 from ingest_jobs where id = $1 and lease_owner = $2 "
          + "for update")
        .execute(Tuple.of(job, owner))
        .compose(held -> {
          if (held.size() == 0) {
            return Future.succeededFuture(false);
          }
          return (rows.isEmpty() ? Future.<Void>succeededFuture() : conn.preparedQuery("update ingest_job_documents "
              + "set status = $3, error = $4, chunks = $5 where job_id = $1 and seq = $2").executeBatch(rows).<Void>mapEmpty())
            .compose(v -> conn.preparedQuery("update ingest_jobs j set status = 'running', done = c.done, "
                + "failed = c.failed, chunks = c.chunks, errors = c.errors, updated_at = now() from (select count(*) filter (where status = 'indexed') as done, "
                + "count(*) filter (where status = 'failed') as failed, coalesce(sum(chunks), 0) as chunks, "
                + "coalesce(jsonb_agg(error order by seq) filter (where status = 'failed'), '[]'::jsonb) as errors "
                + "from ingest_job_documents where job_id = $1) c where j.id = $1")
              .execute(Tuple.of(job)))
            .map(v -> true);
        }))
      .recover(PgFailures::coded);
  }

  /** Marks the job finished (failed when every document failed) and releases it. */
  public Future<Void> finish(UUID job, String owner) {
    return pool.preparedQuery("update ingest_jobs set status = case when failed = documents then 'failed' else 'done' end, "
        + "lease_owner = null, lease_expires_at = null, updated_at = now() where id = $1 and lease_owner = $2")
      .execute(Tuple.of(job, owner))
      .<Void>mapEmpty()
      .recover(PgFailures::coded);
  }

  /** Documents of the knowledge base's unfinished jobs not yet ingested (they count as pending). */
  public Future<Long> pendingDocuments(long kbId) {
    return pool.preparedQuery("select count(*) as n from ingest_job_documents d join ingest_jobs j on j.id = d.job_id "
        + "where j.kb_id = $1 and j.status in ('queued', 'running') and d.status = 'pending'")
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
        + "j.created_at, j.updated_at from ingest_jobs j join kbs k on k.id = j.kb_id where j.id = $1 and j.tenant_id = $2")
      .execute(Tuple.of(uuid, tenant))
      .map(rows -> rows.size() == 0 ? Optional.<JsonObject>empty() : Optional.of(toJson(rows.iterator().next())))
      .recover(PgFailures::coded);
  }

  private static Held held(Row row) {
    return new Held(row.getUUID("id"), row.getString("tenant_id"), row.getLong("kb_id"), row.getInteger("documents"));
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
