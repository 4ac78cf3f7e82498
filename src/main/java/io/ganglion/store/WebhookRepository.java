package io.ganglion.store;

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

/**
 * A tenant's webhooks, their queued deliveries and the attempts at each. Deliveries are queued by
 * {@link WebhookEvent#enqueue} inside the transaction of the change they report; {@link #claim} hands due ones to one
 * node at a time ({@code FOR UPDATE SKIP LOCKED}) and holds them for the attempt's deadline, so a node that dies
 * mid-attempt only delays a delivery (it is due again when the hold runs out: at least once, never lost). Secrets are
 * stored in clear (signing needs them) and never returned by a read. Failures are coded by {@link PgFailures}.
 */
public final class WebhookRepository {

  /** A webhook as its owner sees it (no secret). */
  public record Webhook(UUID id, String tenant, String url, List<String> events, OffsetDateTime createdAt,
                        OffsetDateTime updatedAt, OffsetDateTime previousSecretExpiresAt) {

    public JsonObject toJson() {
      return new JsonObject().put("id", id.toString()).put("url", url).put("events", new JsonArray(events))
        .put("createdAt", createdAt.toString()).put("updatedAt", updatedAt.toString())
        .put("previousSecretExpiresAt", previousSecretExpiresAt == null ? null : previousSecretExpiresAt.toString());
    }
  }

  /**
   * A delivery claimed for one attempt: where it goes, what it sends, and the secrets to sign with (the current one,
   * then the one being rotated out while its grace period lasts).
   *
   * @param attempt this attempt's number, from 1
   */
  public record Due(UUID id, UUID webhookId, String event, String url, String body, int attempt, List<String> secrets) {
  }

  /** One attempt's result, as recorded. */
  public record Attempt(int attempt, OffsetDateTime startedAt, int durationMs, Integer statusCode, String error) {
  }

  private static final String WEBHOOK_COLUMNS = "id, tenant_id, url, events, created_at, updated_at, "
    + "case when previous_expires_at > now() then previous_expires_at end as previous_expires_at";

  private final Pool pool;

  public WebhookRepository(Pool pool) {
    this.pool = pool;
  }

  /** Stores a webhook of {@code tenant} (no limit: the operator's own, and tests). */
  public Future<Webhook> create(String tenant, String url, List<String> events, String secret) {
    return create(tenant, url, events, secret, Integer.MAX_VALUE).map(Optional::orElseThrow);
  }

  /**
   * Stores a webhook of {@code tenant} unless it has {@code max} already: empty then. Creations of one tenant are
   * serialised by a transaction-scoped advisory lock, so two at once cannot both slip under the limit.
   */
  public Future<Optional<Webhook>> create(String tenant, String url, List<String> events, String secret, int max) {
    return pool.withTransaction(conn -> conn.preparedQuery("select pg_advisory_xact_lock(hashtext('webhooks:' || $1))")
        .execute(Tuple.of(tenant))
        .compose(v -> conn.preparedQuery("select count(*) as n from webhooks where tenant_id = $1").execute(Tuple.of(tenant)))
        .compose(count -> count.iterator().next().getLong("n") >= max ? Future.succeededFuture(Optional.<Webhook>empty())
          : conn.preparedQuery("insert into webhooks(id, tenant_id, url, events, secret) values ($1, $2, $3, $4, $5) "
              + "returning " + WEBHOOK_COLUMNS)
            .execute(Tuple.of(UUID.randomUUID(), tenant, url, events.toArray(String[]::new), secret))
            .map(rows -> Optional.of(webhook(rows.iterator().next())))))
      .recover(PgFailures::coded);
  }

  /** Up to {@code limit} webhooks of {@code tenant} in creation order, after the one with id {@code after}. */
  public Future<List<Webhook>> list(String tenant, UUID after, int limit) {
    return pool.preparedQuery("select " + WEBHOOK_COLUMNS + " from webhooks where tenant_id = $1 and ($2::uuid is null "
        + "or (created_at, id) > (select created_at, id from webhooks where id = $2)) order by created_at, id limit $3")
      .execute(Tuple.of(tenant, after, limit))
      .map(rows -> {
        List<Webhook> list = new ArrayList<>();
        rows.forEach(r -> list.add(webhook(r)));
        return list;
      })
      .recover(PgFailures::coded);
  }

  public Future<Optional<Webhook>> get(String tenant, UUID id) {
    return pool.preparedQuery("select " + WEBHOOK_COLUMNS + " from webhooks where tenant_id = $1 and id = $2")
      .execute(Tuple.of(tenant, id))
      .map(rows -> rows.size() == 0 ? Optional.<Webhook>empty() : Optional.of(webhook(rows.iterator().next())))
      .recover(PgFailures::coded);
  }

  /** Deletes the webhook with its deliveries (queued ones are dropped); whether it existed. */
  public Future<Boolean> delete(String tenant, UUID id) {
    return pool.preparedQuery("delete from webhooks where tenant_id = $1 and id = $2").execute(Tuple.of(tenant, id))
      .map(rows -> rows.rowCount() == 1)
      .recover(PgFailures::coded);
  }

  /**
   * Makes {@code secret} the webhook's signing secret; the current one keeps signing beside it for
   * {@code graceSeconds} (0: replaced at once). A rotation during a rotation drops the oldest secret.
   */
  public Future<Optional<Webhook>> rotate(String tenant, UUID id, String secret, long graceSeconds) {
    return pool.preparedQuery("update webhooks set previous_secret = case when $4 > 0 then secret end, "
        + "previous_expires_at = case when $4 > 0 then now() + $4 * interval '1 second' end, secret = $3, "
        + "updated_at = now() where tenant_id = $1 and id = $2 returning " + WEBHOOK_COLUMNS)
      .execute(Tuple.of(tenant, id, secret, graceSeconds))
      .map(rows -> rows.size() == 0 ? Optional.<Webhook>empty() : Optional.of(webhook(rows.iterator().next())))
      .recover(PgFailures::coded);
  }

  /**
   * Takes up to {@code limit} due deliveries for {@code owner}, oldest due first, and holds them for {@code holdMs}
   * (their next attempt is pushed that far out, so no other node takes them while this one tries). Each is returned
   * with its attempt number counted.
   */
  public Future<List<Due>> claim(String owner, int limit, long holdMs) {
    return pool.preparedQuery("with due as (select id from webhook_deliveries where status = 'pending' "
        + "and next_attempt_at <= now() order by next_attempt_at limit $2 for update skip locked) "
        + "update webhook_deliveries d set attempts = d.attempts + 1, claimed_by = $1, "
        + "next_attempt_at = now() + $3 * interval '1 ms' from due, webhooks w where d.id = due.id and w.id = d.webhook_id "
        + "returning d.id, d.webhook_id, d.event, d.body, d.attempts, w.url, w.secret, "
        + "case when w.previous_expires_at > now() then w.previous_secret end as previous_secret")
      .execute(Tuple.of(owner, limit, holdMs))
      .map(rows -> {
        List<Due> due = new ArrayList<>();
        for (Row r : rows) {
          List<String> secrets = new ArrayList<>(2);
          secrets.add(r.getString("secret"));
          if (r.getString("previous_secret") != null) {
            secrets.add(r.getString("previous_secret"));
          }
          due.add(new Due(r.getUUID("id"), r.getUUID("webhook_id"), r.getString("event"), r.getString("url"),
            r.getString("body"), r.getInteger("attempts"), List.copyOf(secrets)));
        }
        return due;
      })
      .recover(PgFailures::coded);
  }

  /**
   * Records an attempt and settles the delivery, if {@code owner} still holds it: delivered, failed for good, or due
   * again after {@code retryInMs}.
   *
   * @param retryInMs the wait before the next attempt, or a negative number when there is none (delivered or given up)
   * @param delivered whether the receiver accepted it (2xx)
   */
  public Future<Void> record(Due due, String owner, Attempt attempt, boolean delivered, long retryInMs) {
    String status = delivered ? "delivered" : retryInMs < 0 ? "failed" : "pending";
    return pool.withTransaction(conn -> conn.preparedQuery("insert into webhook_attempts(delivery_id, attempt, started_at, "
          + "duration_ms, status_code, error) values ($1, $2, $3, $4, $5, $6) on conflict do nothing")
        .execute(Tuple.of(due.id(), attempt.attempt(), attempt.startedAt(), attempt.durationMs(), attempt.statusCode(),
          attempt.error()))
        .compose(v -> conn.preparedQuery("update webhook_deliveries set status = $3, last_status = $4, last_error = $5, "
            + "next_attempt_at = case when $3 = 'pending' then now() + $6 * interval '1 ms' else next_attempt_at end, "
            + "finished_at = case when $3 = 'pending' then null else now() end, claimed_by = null "
            + "where id = $1 and claimed_by = $2 and status = 'pending'")
          .execute(Tuple.of(due.id(), owner, status, attempt.statusCode(), attempt.error(), Math.max(0, retryInMs)))))
      .<Void>mapEmpty()
      .recover(PgFailures::coded);
  }

  /**
   * Up to {@code limit} deliveries of a webhook, newest first, after the one with id {@code after}, each
   * {@code {"id","eventId","event","status","attempts","lastStatus","lastError","createdAt","nextAttemptAt",
   * "finishedAt","history":[{"attempt","startedAt","durationMs","statusCode","error"}]}}.
   */
  public Future<List<JsonObject>> deliveries(UUID webhookId, UUID after, int limit) {
    return pool.preparedQuery("select d.id, d.event_id, d.event, d.status, d.attempts, d.last_status, d.last_error, "
        + "d.created_at, d.next_attempt_at, d.finished_at, coalesce((select json_agg(json_build_object('attempt', a.attempt, "
        + "'startedAt', a.started_at, 'durationMs', a.duration_ms, 'statusCode', a.status_code, 'error', a.error) "
        + "order by a.attempt) from webhook_attempts a where a.delivery_id = d.id), '[]'::json) as history "
        + "from webhook_deliveries d where d.webhook_id = $1 and ($2::uuid is null or (d.created_at, d.id) < "
        + "(select created_at, id from webhook_deliveries where id = $2)) order by d.created_at desc, d.id desc limit $3")
      .execute(Tuple.of(webhookId, after, limit))
      .map(rows -> {
        List<JsonObject> list = new ArrayList<>();
        for (Row r : rows) {
          String status = r.getString("status");
          list.add(new JsonObject().put("id", r.getUUID("id").toString()).put("eventId", r.getUUID("event_id").toString())
            .put("event", r.getString("event")).put("status", status).put("attempts", r.getInteger("attempts"))
            .put("lastStatus", r.getInteger("last_status")).put("lastError", r.getString("last_error"))
            .put("createdAt", r.getOffsetDateTime("created_at").toString())
            .put("nextAttemptAt", "pending".equals(status) ? r.getOffsetDateTime("next_attempt_at").toString() : null)
            .put("finishedAt", r.getOffsetDateTime("finished_at") == null ? null
              : r.getOffsetDateTime("finished_at").toString())
            .put("history", history(r.getValue("history"))));
        }
        return list;
      })
      .recover(PgFailures::coded);
  }

  private static JsonArray history(Object value) {
    if (value instanceof JsonArray array) {
      return array;
    }
    return value == null ? new JsonArray() : new JsonArray(value.toString());
  }

  private static Webhook webhook(Row r) {
    return new Webhook(r.getUUID("id"), r.getString("tenant_id"), r.getString("url"),
      List.of(r.getArrayOfStrings("events")), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"),
      r.getOffsetDateTime("previous_expires_at"));
  }
}
