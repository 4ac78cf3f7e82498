package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
    return pool.preparedQuery("select " + COLUMNS + " from kbs where tenant_id = $1 order by name")
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

  /** Deletes the KB; true if it existed. */
  public Future<Boolean> delete(String tenant, String name) {
    return pool.preparedQuery("delete from kbs where tenant_id = $1 and name = $2")
      .execute(Tuple.of(tenant, name))
      .map(rows -> rows.rowCount() == 1)
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
}
