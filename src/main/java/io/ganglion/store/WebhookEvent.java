package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The events a webhook may subscribe to, and the outbox they go into. {@link #enqueue} is called by the repository
 * that makes the state change, <em>inside its transaction</em>: one delivery row per subscribed webhook of the tenant,
 * so an event is stored exactly when its change commits and is never lost to a crash between the two.
 * <p>
 * A delivery's body is {@code {"id","event","createdAt","data"}}; {@code id} is the event's (the same for every webhook
 * it goes to), {@code createdAt} an ISO-8601 instant in UTC.
 */
public enum WebhookEvent {
  /** An ingestion job ended with at least one document indexed: data is the job ({@code GET /v1/jobs/{id}}). */
  JOB_COMPLETED("job.completed"),
  /** An ingestion job ended with every document failed: data is the job, with its {@code errors}. */
  JOB_FAILED("job.failed"),
  /** A document was deleted: {@code {"kb","id"}}. */
  DOCUMENT_DELETED("document.deleted"),
  /** A knowledge base was deleted with all its documents (no {@code document.deleted} for each): {@code {"kb"}}. */
  KB_DELETED("kb.deleted"),
  /** An agent run ended with status {@code completed}. */
  AGENT_RUN_COMPLETED("agent.run.completed"),
  /** An agent run paused for approval of tool calls ({@code waiting_approval}); data carries the pending calls. */
  AGENT_RUN_WAITING_APPROVAL("agent.run.waiting_approval"),
  /** An agent run ended without an answer: {@code failed}, {@code max_steps}, {@code budget_exceeded},
   *  {@code repeated_call} or {@code rejected} (data's {@code status} says which). */
  AGENT_RUN_FAILED("agent.run.failed"),
  /** An agent run was cancelled (by its caller or a disconnect). */
  AGENT_RUN_CANCELLED("agent.run.cancelled");

  private final String wireName;

  WebhookEvent(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** Every event name, in declaration order. */
  public static List<String> names() {
    return Arrays.stream(values()).map(WebhookEvent::wireName).toList();
  }

  public static Optional<WebhookEvent> of(String name) {
    return Arrays.stream(values()).filter(e -> e.wireName.equals(name)).findFirst();
  }

  /** The event a run's status reports: completed, cancelled, waiting_approval, else failed. */
  public static WebhookEvent ofRunStatus(String status) {
    return switch (status) {
      case "completed" -> AGENT_RUN_COMPLETED;
      case "cancelled" -> AGENT_RUN_CANCELLED;
      case "waiting_approval" -> AGENT_RUN_WAITING_APPROVAL;
      default -> AGENT_RUN_FAILED;
    };
  }

  private static final String ENQUEUE = "insert into webhook_deliveries(id, webhook_id, tenant_id, event_id, event, body) "
    + "select gen_random_uuid(), id, tenant_id, $3, $2, $4 from webhooks where tenant_id = $1 and $2 = any(events)";

  /**
   * Queues this event for every webhook of {@code tenant} subscribed to it, on {@code conn} (the caller's transaction).
   *
   * @return how many deliveries were queued
   */
  public Future<Integer> enqueue(SqlClient conn, String tenant, JsonObject data) {
    UUID eventId = UUID.randomUUID();
    String body = new JsonObject().put("id", eventId.toString()).put("event", wireName)
      .put("createdAt", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString()).put("data", data).encode();
    return conn.preparedQuery(ENQUEUE).execute(Tuple.of(tenant, wireName, eventId, body)).map(rows -> rows.rowCount());
  }
}
