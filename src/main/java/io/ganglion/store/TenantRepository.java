package io.ganglion.store;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Tenants. A tenant is created explicitly by an administrator, or implicitly by the first row that belongs to it (a
 * key, a knowledge base, a conversation, a trace), inside that row's transaction ({@link #ensure}).
 */
public final class TenantRepository {

  /** A tenant as listed. */
  public record Tenant(String id, OffsetDateTime createdAt) {
  }

  private static final String INSERT = "insert into tenants(id) values ($1) on conflict do nothing";

  private final Pool pool;

  public TenantRepository(Pool pool) {
    this.pool = pool;
  }

  /** Creates the tenant; fails 4090 when it exists. */
  public Future<Void> create(String id) {
    return pool.preparedQuery(INSERT).execute(Tuple.of(id))
      .recover(PgFailures::coded)
      .compose(rows -> rows.rowCount() == 0
        ? Future.failedFuture(ErrorCode.CONFLICT.exception("tenant '" + id + "' already exists"))
        : Future.succeededFuture());
  }

  /** Tenants in id order, those after {@code afterId} when given, at most {@code limit}. */
  public Future<List<Tenant>> list(String afterId, int limit) {
    return pool.preparedQuery("select id, created_at from tenants where $1::text is null or id > $1 order by id limit $2")
      .execute(Tuple.of(afterId, limit))
      .recover(PgFailures::coded)
      .map(rows -> {
        List<Tenant> tenants = new ArrayList<>();
        rows.forEach(row -> tenants.add(new Tenant(row.getString("id"), row.getOffsetDateTime("created_at"))));
        return tenants;
      });
  }

  /** Creates the tenant unless it exists, on {@code client} (a transaction's connection, so it commits with the row). */
  static Future<Void> ensure(SqlClient client, String id) {
    return client.preparedQuery(INSERT).execute(Tuple.of(id)).mapEmpty();
  }
}
