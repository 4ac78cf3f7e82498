package io.ganglion.store;

import io.ganglion.bus.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: who did what, from where, under which request id. Append-only (retention may purge old entries).
 * <p>
 * From code that is not behind an HTTP route (agent runs, approvals, jobs), one call records an event:
 * {@code audit.record(AuditRepository.Event.of(principal, tenant, "run.approve", runId, detail))}; the request id is
 * taken from the current context.
 */
public final class AuditRepository {

  private static final Logger LOG = LoggerFactory.getLogger(AuditRepository.class);

  /** One audit event. {@code detail} never holds secrets. */
  public record Event(String requestId, String principal, String tenant, String action, String target, String source,
                      JsonObject detail) {

    /** An event of the request running on the current Vert.x context (its request id), without a source address. */
    public static Event of(String principal, String tenant, String action, String target, JsonObject detail) {
      return new Event(RequestIds.current(), principal, tenant, action, target, null, detail);
    }
  }

  private final Pool pool;

  public AuditRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Writes {@code event} without making the caller wait or fail: an audit write that fails is logged (an outage of
   * PostgreSQL must not fail the work being audited).
   */
  public void record(Event event) {
    append(event).onFailure(e -> LOG.warn("audit event {} not written: {}", event.action(), e.getMessage()));
  }

  public Future<Void> append(Event event) {
    return pool.preparedQuery("insert into audit_log(request_id, principal, tenant, action, target, source, detail) "
        + "values ($1, $2, $3, $4, $5, $6, $7)")
      .execute(Tuple.tuple(java.util.Arrays.asList(event.requestId(), event.principal(), event.tenant(), event.action(),
        event.target(), event.source(), event.detail() == null ? new JsonObject() : event.detail())))
      .<Void>mapEmpty()
      .recover(PgFailures::coded);
  }

  /** Appends {@code event} and returns its row id (for entries that are updated while they aggregate). */
  public Future<Long> appendReturningId(Event event) {
    return pool.preparedQuery("insert into audit_log(request_id, principal, tenant, action, target, source, detail) "
        + "values ($1, $2, $3, $4, $5, $6, $7) returning id")
      .execute(Tuple.tuple(java.util.Arrays.asList(event.requestId(), event.principal(), event.tenant(), event.action(),
        event.target(), event.source(), event.detail() == null ? new JsonObject() : event.detail())))
      .map(rows -> rows.iterator().next().getLong("id"))
      .recover(PgFailures::coded);
  }

  /** Replaces the detail of entry {@code id} (an aggregated entry's count). */
  public Future<Void> updateDetail(long id, JsonObject detail) {
    return pool.preparedQuery("update audit_log set detail = $2 where id = $1").execute(Tuple.of(id, detail)).<Void>mapEmpty()
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
