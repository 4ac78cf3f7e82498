package io.ganglion.store;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Knowledge bases in PostgreSQL, always scoped to a tenant. Failures are coded by {@link PgFailures}. */
public final class KbRepository {

  /** A knowledge base row; {@code shards} is fixed when it is created. */
  public record Kb(long id, String tenant, String name, OffsetDateTime createdAt, int shards) {
  }

  /**
   * What a knowledge base's vectors are made with.
   *
   * @param model the embedding model ({@code name@version}), or null when not recorded yet (the server's default)
   * @param dims the model's dimensions, or 0 when not recorded yet
   * @param sentenceVectors whether ingestion stores each chunk's sentence vectors
   */
  public record Embedding(String model, int dims, boolean sentenceVectors) {
  }

  /** A knowledge base with its current version, as every node's periodic sync reads them all. */
  public record KbVersion(Kb kb, long version) {
  }

  /**
   * A model change begun: its job, the hidden shadow knowledge base it fills, and the shadow of an earlier change
   * whose node stopped renewing its lease (abandoned here; the caller drops it), if any.
   */
  public record ModelChange(UUID job, Kb shadow, Optional<Kb> abandoned) {
  }

  /** A switch done: the knowledge base under its hidden name (to drop) and the shadow under the public name. */
  public record Switched(Kb old, Kb current) {
  }

  /** Names of hidden knowledge bases start with this (a request's name never does: see KbRegistry.KB_NAME). */
  public static final String HIDDEN = "~";

  private static final String COLUMNS = "id, tenant_id, name, created_at, coalesce(shards, 1) as shards";

  private final Pool pool;

  public KbRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Creates the tenant's knowledge base of {@code shards} shards (its count for good; the tenant too if absent); fails
   * 4090 when the tenant has one of that name.
   */
  public Future<Kb> create(String tenant, String name, int shards) {
    return pool.withTransaction(conn -> TenantRepository.ensure(conn, tenant)
        .compose(ignored -> conn.preparedQuery(
          "insert into kbs(tenant_id, name, shards) values ($1, $2, $3) returning " + COLUMNS)
          .execute(Tuple.of(tenant, name, shards))))
      .map(rows -> toKb(rows.iterator().next()))
      .recover(PgFailures.conflict("knowledge base '" + name + "' already exists"));
  }

  /**
   * Creates the tenant's knowledge base with its embedding settings; fails 4090 when the tenant has one of that name.
   *
   * @param model the embedding model ({@code name@version}) its vectors will be made with, or null for "not recorded"
   */
  public Future<Kb> create(String tenant, String name, int shards, String model, int dims, boolean sentenceVectors) {
    return pool.withTransaction(conn -> TenantRepository.ensure(conn, tenant)
        .compose(ignored -> conn.preparedQuery(
          "insert into kbs(tenant_id, name, shards, embedding_model, embedding_dims, sentence_vectors) "
            + "values ($1, $2, $3, $4, $5, $6) returning " + COLUMNS)
          .execute(Tuple.of(tenant, name, shards, model, dims > 0 ? dims : null, sentenceVectors))))
      .map(rows -> toKb(rows.iterator().next()))
      .recover(PgFailures.conflict("knowledge base '" + name + "' already exists"));
  }

  /** The knowledge base's embedding settings (a KB that is gone reads as the defaults: nothing recorded, sentences on). */
  public Future<Embedding> embedding(long kbId) {
    return pool.preparedQuery("select embedding_model, embedding_dims, sentence_vectors from kbs where id = $1")
      .execute(Tuple.of(kbId))
      .map(rows -> {
        if (rows.size() == 0) {
          return new Embedding(null, 0, true);
        }
        Row row = rows.iterator().next();
        Integer dims = row.getInteger("embedding_dims");
        return new Embedding(row.getString("embedding_model"), dims == null ? 0 : dims, row.getBoolean("sentence_vectors"));
      })
      .recover(PgFailures::coded);
  }

  /** Records the model a knowledge base's vectors are made with (after a re-embedding switched it, or a first use). */
  public Future<Void> recordModel(long kbId, String model, int dims) {
    return pool.preparedQuery("update kbs set embedding_model = $2, embedding_dims = $3 where id = $1")
      .execute(Tuple.of(kbId, model, dims))
      .<Void>mapEmpty()
      .recover(PgFailures::coded);
  }

  /** The knowledge bases (as {@code tenant/name}) whose vectors are made with {@code model} ({@code name@version}). */
  public Future<List<String>> usersOf(String model) {
    return pool.preparedQuery("select tenant_id, name from kbs where embedding_model = $1 order by tenant_id, name")
      .execute(Tuple.of(model))
      .map(rows -> {
        List<String> users = new ArrayList<>();
        rows.forEach(row -> users.add(row.getString("tenant_id") + "/" + row.getString("name")));
        return users;
      })
      .recover(PgFailures::coded);
  }

  public Future<List<Kb>> list(String tenant) {
    return pool.preparedQuery("select " + COLUMNS + " from kbs where tenant_id = $1 and name not like '~%' order by name")
      .execute(Tuple.of(tenant))
      .map(rows -> {
        List<Kb> kbs = new ArrayList<>();
        rows.forEach(row -> kbs.add(toKb(row)));
        return kbs;
      })
      .recover(PgFailures::coded);
  }

  public Future<Optional<Kb>> get(String tenant, String name) {
    return pool.preparedQuery("select " + COLUMNS + " from kbs where tenant_id = $1 and name = $2")
      .execute(Tuple.of(tenant, name))
      .map(rows -> rows.size() == 0 ? Optional.<Kb>empty() : Optional.of(toKb(rows.iterator().next())))
      .recover(PgFailures::coded);
  }

  /**
   * Deletes the KB with its documents, queueing {@code kb.deleted} for the tenant's webhooks in the same transaction
   * (not for a hidden KB: a model change's shadow is not the tenant's); true if it existed.
   */
  public Future<Boolean> delete(String tenant, String name) {
    return pool.withTransaction(conn -> conn.preparedQuery("delete from kbs where tenant_id = $1 and name = $2")
      .execute(Tuple.of(tenant, name))
      .compose(rows -> rows.rowCount() == 0 ? Future.succeededFuture(false)
        : name.startsWith(HIDDEN) ? Future.succeededFuture(true)
        : WebhookEvent.KB_DELETED.enqueue(conn, tenant, new JsonObject().put("kb", name)).map(true)))
      .recover(PgFailures::coded);
  }

  /** Every knowledge base of every tenant with its version, by id. */
  public Future<List<KbVersion>> all() {
    return pool.query("select " + COLUMNS + ", version from kbs order by id").execute()
      .map(rows -> {
        List<KbVersion> kbs = new ArrayList<>();
        rows.forEach(row -> kbs.add(new KbVersion(toKb(row), row.getLong("version"))));
        return kbs;
      })
      .recover(PgFailures::coded);
  }

  /**
   * Gives knowledge bases created before shard counts were recorded the count they have been served with; returns
   * how many. Idempotent: every node may run it at start.
   */
  public Future<Integer> recordShards(int shards) {
    return pool.preparedQuery("update kbs set shards = $1 where shards is null").execute(Tuple.of(shards))
      .map(rows -> rows.rowCount())
      .recover(PgFailures::coded);
  }

  private static Kb toKb(Row row) {
    return new Kb(row.getLong("id"), row.getString("tenant_id"), row.getString("name"), row.getOffsetDateTime("created_at"),
      row.getInteger("shards"));
  }

  /**
   * Begins changing the knowledge base's model in one transaction: refuses (4090) while another change of it runs
   * under a live lease, fails an earlier change whose lease ran out, creates the hidden shadow knowledge base
   * ({@code ~<job>}, same tenant, shard count and sentence setting, the new model) and the running job of kind
   * {@code model} held by {@code owner}, and records the change on the knowledge base.
   */
  public Future<ModelChange> beginModelChange(Kb kb, String model, int dims, int documents, String owner, long leaseMs) {
    UUID job = UUID.randomUUID();
    return pool.withTransaction(conn -> conn.preparedQuery("select k.model_change, k.sentence_vectors, j.status, "
          + "coalesce(j.lease_expires_at > now(), false) as alive, s.id as s_id, s.tenant_id as s_tenant, "
          + "s.name as s_name, s.created_at as s_created, coalesce(s.shards, 1) as s_shards from kbs k "
          + "left join ingest_jobs j on j.id = k.model_change left join kbs s on s.id = j.target_kb_id "
          + "where k.id = $1 for update of k")
        .execute(Tuple.of(kb.id()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ErrorCode.NOT_FOUND.exception("no knowledge base named '"
              + kb.name() + "'"));
          }
          Row row = rows.iterator().next();
          UUID running = row.getUUID("model_change");
          boolean live = running != null && "running".equals(row.getString("status")) && row.getBoolean("alive");
          if (live) {
            return Future.failedFuture(ErrorCode.CONFLICT.exception("a change of knowledge base '"
              + kb.name() + "' to another model is under way (job " + running + "); wait for it or cancel it"));
          }
          Optional<Kb> abandoned = row.getLong("s_id") == null || !"running".equals(row.getString("status"))
            ? Optional.empty()
            : Optional.of(new Kb(row.getLong("s_id"), row.getString("s_tenant"), row.getString("s_name"),
              row.getOffsetDateTime("s_created"), row.getInteger("s_shards")));
          Future<Void> fail = running == null ? Future.succeededFuture() : conn.preparedQuery(
              "update ingest_jobs set status = 'failed', errors = $2, lease_owner = null, lease_expires_at = null, "
                + "updated_at = now() where id = $1 and status = 'running'")
            .execute(Tuple.of(running, new JsonArray().add(JobRepository.modelError("interrupted",
              "the node running the model change stopped renewing its lease"))))
            .mapEmpty();
          return fail.compose(v -> conn.preparedQuery("insert into kbs(tenant_id, name, shards, embedding_model, "
                + "embedding_dims, sentence_vectors) values ($1, $2, $3, $4, $5, $6) returning " + COLUMNS)
              .execute(Tuple.of(kb.tenant(), HIDDEN + job, kb.shards(), model, dims, row.getBoolean("sentence_vectors"))))
            .map(inserted -> toKb(inserted.iterator().next()))
            .compose(shadow -> JobRepository.createModelChange(conn, job, kb.tenant(), kb.id(), shadow.id(), model,
                documents, owner, leaseMs)
              .compose(v -> conn.preparedQuery("update kbs set model_change = $2 where id = $1")
                .execute(Tuple.of(kb.id(), job)))
              .map(v -> new ModelChange(job, shadow, abandoned)));
        }))
      .recover(PgFailures::coded);
  }

  /**
   * Switches the knowledge base to its shadow in one transaction, if {@code job} is still its running change: the
   * knowledge base takes a hidden name ({@code ~kb<id>}), the shadow its public name, unfinished ingestion jobs and the
   * change's job move to the shadow, and the job is done. Empty when the change was cancelled or taken over.
   */
  public Future<Optional<Switched>> switchModel(Kb kb, Kb shadow, UUID job) {
    return pool.withTransaction(conn -> conn.preparedQuery("select k.model_change, j.status from kbs k "
          + "join ingest_jobs j on j.id = $2 where k.id = $1 for update")
        .execute(Tuple.of(kb.id(), job))
        .compose(rows -> {
          if (rows.size() == 0 || !job.equals(rows.iterator().next().getUUID("model_change"))
            || !"running".equals(rows.iterator().next().getString("status"))) {
            return Future.succeededFuture(Optional.<Switched>empty());
          }
          String hidden = HIDDEN + "kb" + kb.id();
          return conn.preparedQuery("update kbs set name = $2, model_change = null where id = $1")
            .execute(Tuple.of(kb.id(), hidden))
            .compose(v -> conn.preparedQuery("update kbs set name = $2 where id = $1").execute(Tuple.of(shadow.id(), kb.name())))
            .compose(v -> conn.preparedQuery("update ingest_jobs set kb_id = $2 where kb_id = $1 "
              + "and (status in ('queued', 'running') or id = $3)").execute(Tuple.of(kb.id(), shadow.id(), job)))
            .compose(v -> conn.preparedQuery("update ingest_jobs set status = 'done', done = documents, lease_owner = null, "
              + "lease_expires_at = null, updated_at = now() where id = $1").execute(Tuple.of(job)))
            .map(v -> Optional.of(new Switched(new Kb(kb.id(), kb.tenant(), hidden, kb.createdAt(), kb.shards()),
              new Kb(shadow.id(), shadow.tenant(), kb.name(), shadow.createdAt(), shadow.shards()))));
        }))
      .recover(PgFailures::coded);
  }

  /** The knowledge base's change under way (running under a live lease), if any. */
  public Future<Optional<UUID>> liveModelChange(long kbId) {
    return pool.preparedQuery("select k.model_change from kbs k join ingest_jobs j on j.id = k.model_change "
        + "where k.id = $1 and j.status = 'running' and j.lease_expires_at > now()")
      .execute(Tuple.of(kbId))
      .map(rows -> rows.size() == 0 ? Optional.<UUID>empty()
        : Optional.of(rows.iterator().next().getUUID("model_change")))
      .recover(PgFailures::coded);
  }

  /** Forgets the knowledge base's change {@code job} (it failed or was cancelled): another may begin. */
  public Future<Void> endModelChange(long kbId, UUID job) {
    return pool.preparedQuery("update kbs set model_change = null where id = $1 and model_change = $2")
      .execute(Tuple.of(kbId, job))
      .<Void>mapEmpty()
      .recover(PgFailures::coded);
  }

  /** The knowledge base of this id, if it exists (under whatever name, hidden ones too). */
  public Future<Optional<Kb>> byId(long kbId) {
    return pool.preparedQuery("select " + COLUMNS + " from kbs where id = $1")
      .execute(Tuple.of(kbId))
      .map(rows -> rows.size() == 0 ? Optional.<Kb>empty() : Optional.of(toKb(rows.iterator().next())))
      .recover(PgFailures::coded);
  }
}
