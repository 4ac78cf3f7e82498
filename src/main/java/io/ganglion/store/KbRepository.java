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

  /** A knowledge base row. */
  public record Kb(long id, String tenant, String name, OffsetDateTime createdAt) {
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

  private final Pool pool;

  public KbRepository(Pool pool) {
    this.pool = pool;
  }

  /** Creates the tenant's knowledge base (and the tenant if absent); fails 4090 when the tenant has one of that name. */
  public Future<Kb> create(String tenant, String name) {
    return pool.withTransaction(conn -> TenantRepository.ensure(conn, tenant)
        .compose(ignored -> conn.preparedQuery(
          "insert into kbs(tenant_id, name) values ($1, $2) returning id, tenant_id, name, created_at")
          .execute(Tuple.of(tenant, name))))
      .map(rows -> toKb(rows.iterator().next()))
      .recover(PgFailures.conflict("knowledge base '" + name + "' already exists"));
  }

  /**
   * Creates the tenant's knowledge base with its embedding settings; fails 4090 when the tenant has one of that name.
   *
   * @param model the embedding model ({@code name@version}) its vectors will be made with, or null for "not recorded"
   */
  public Future<Kb> create(String tenant, String name, String model, int dims, boolean sentenceVectors) {
    return pool.withTransaction(conn -> TenantRepository.ensure(conn, tenant)
        .compose(ignored -> conn.preparedQuery(
          "insert into kbs(tenant_id, name, embedding_model, embedding_dims, sentence_vectors) values ($1, $2, $3, $4, $5) "
            + "returning id, tenant_id, name, created_at")
          .execute(Tuple.of(tenant, name, model, dims > 0 ? dims : null, sentenceVectors))))
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
    return pool.preparedQuery("select id, tenant_id, name, created_at from kbs where tenant_id = $1 order by name")
      .execute(Tuple.of(tenant))
      .map(rows -> {
        List<Kb> kbs = new ArrayList<>();
        rows.forEach(row -> kbs.add(toKb(row)));
        return kbs;
      })
      .recover(PgFailures::coded);
  }

  public Future<Optional<Kb>> get(String tenant, String name) {
    return pool.preparedQuery("select id, tenant_id, name, created_at from kbs where tenant_id = $1 and name = $2")
      .execute(Tuple.of(tenant, name))
      .map(rows -> rows.size() == 0 ? Optional.<Kb>empty() : Optional.of(toKb(rows.iterator().next())))
      .recover(PgFailures::coded);
  }

  /** The KB with id {@code id}, if it still exists. */
  public Future<Optional<Kb>> byId(long id) {
    return pool.preparedQuery("select id, tenant_id, name, created_at from kbs where id = $1")
      .execute(Tuple.of(id))
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

  private static Kb toKb(Row row) {
    return new Kb(row.getLong("id"), row.getString("tenant_id"), row.getString("name"), row.getOffsetDateTime("created_at"));
  }
}
