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
