package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Agents tenants defined, in PostgreSQL, always scoped to a tenant. The spec is stored as the validated JSON. */
public final class AgentRepository {

  /** An agent row. */
  public record StoredAgent(String tenant, String name, JsonObject spec, OffsetDateTime createdAt,
                            OffsetDateTime updatedAt) {
  }

  /** Creating an agent whose name the tenant already uses. */
  public static final class DuplicateAgentException extends RuntimeException {
    public DuplicateAgentException(String name) {
      super("agent '" + name + "' already exists");
    }
  }

  private static final String COLUMNS = "tenant_id, name, spec, created_at, updated_at";

  private final Pool pool;

  public AgentRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<StoredAgent> create(String tenant, String name, JsonObject spec) {
    return pool.withTransaction(conn -> conn
        .preparedQuery("insert into tenants(id) values ($1) on conflict do nothing").execute(Tuple.of(tenant))
        .compose(ignored -> conn.preparedQuery("insert into agents(tenant_id, name, spec) values ($1, $2, $3) returning "
          + COLUMNS).execute(Tuple.of(tenant, name, spec))))
      .map(rows -> toAgent(rows.iterator().next()))
      .recover(failure -> Future.failedFuture(failure instanceof PgException pg && "23505".equals(pg.getSqlState())
        ? new DuplicateAgentException(name) : failure));
  }

  /** Replaces the spec; empty when the tenant has no such agent. */
  public Future<Optional<StoredAgent>> update(String tenant, String name, JsonObject spec) {
    return pool.preparedQuery("update agents set spec = $3, updated_at = now() where tenant_id = $1 and name = $2 returning "
        + COLUMNS)
      .execute(Tuple.of(tenant, name, spec))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toAgent(rows.iterator().next())));
  }

  public Future<Optional<StoredAgent>> get(String tenant, String name) {
    return pool.preparedQuery("select " + COLUMNS + " from agents where tenant_id = $1 and name = $2")
      .execute(Tuple.of(tenant, name))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toAgent(rows.iterator().next())));
  }

  /** Whether an agent was deleted. */
  public Future<Boolean> delete(String tenant, String name) {
    return pool.preparedQuery("delete from agents where tenant_id = $1 and name = $2")
      .execute(Tuple.of(tenant, name))
      .map(rows -> rows.rowCount() == 1);
  }

  /** The tenant's agents by name, those after {@code after} (exclusive; {@code null} from the start). */
  public Future<List<StoredAgent>> list(String tenant, String after, int limit) {
    return pool.preparedQuery("select " + COLUMNS + " from agents where tenant_id = $1 and ($2::text is null or name > $2) "
        + "order by name limit $3")
      .execute(Tuple.of(tenant, after, limit))
      .map(rows -> {
        List<StoredAgent> agents = new ArrayList<>();
        rows.forEach(row -> agents.add(toAgent(row)));
        return agents;
      });
  }

  private static StoredAgent toAgent(Row row) {
    Object spec = row.getValue("spec");
    return new StoredAgent(row.getString("tenant_id"), row.getString("name"),
      spec instanceof JsonObject o ? o : new JsonObject(String.valueOf(spec)),
      row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"));
  }
}
