package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/** The audit log: who did what, from where, under which request id. Append-only. */
public final class AuditRepository {

  /** One audit event. {@code detail} never holds secrets. */
  public record Event(String requestId, String principal, String tenant, String action, String target, String source,
                      JsonObject detail) {
  }

  private final Pool pool;

  public AuditRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Void> append(Event event) {
    return pool.preparedQuery("insert into audit_log(request_id, principal, tenant, action, target, source, detail) "
        + "values ($1, $2, $3, $4, $5, $6, $7)")
      .execute(Tuple.tuple(java.util.Arrays.asList(event.requestId(), event.principal(), event.tenant(), event.action(),
        event.target(), event.source(), event.detail() == null ? new JsonObject() : event.detail())))
      .<Void>mapEmpty()
      .recover(PgFailures::coded);
  }

  /** The newest {@code limit} events, of one tenant or of all when {@code tenant} is null. */
  public Future<JsonArray> recent(String tenant, int limit) {
    return pool.preparedQuery("select id, at, request_id, principal, tenant, action, target, source, detail from audit_log "
        + "where $1::text is null or tenant = $1 order by at desc, id desc limit $2")
      .execute(Tuple.of(tenant, limit))
      .map(rows -> {
        JsonArray events = new JsonArray();
        rows.forEach(row -> events.add(new JsonObject()
          .put("id", row.getLong("id")).put("at", row.getOffsetDateTime("at").toString())
          .put("requestId", row.getString("request_id")).put("principal", row.getString("principal"))
          .put("tenant", row.getString("tenant")).put("action", row.getString("action"))
          .put("target", row.getString("target")).put("source", row.getString("source"))
          .put("detail", row.getJsonObject("detail"))));
        return events;
      })
      .recover(PgFailures::coded);
  }
}
