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
