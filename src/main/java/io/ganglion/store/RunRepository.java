package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Agent runs, their steps and pending approvals in PostgreSQL. Every status change is a compare-and-set on the
 * run's status (and, while it runs, its owner), so of two requests or two nodes racing for one transition exactly one
 * wins; the loser sees {@code false} (or empty) and must not act. Reads are always scoped to a tenant.
 */
public final class RunRepository {

  /** A run row. */
  public record StoredRun(UUID id, String tenant, String agent, JsonObject agentSpec, String status, String input,
                          String output, JsonObject error, JsonObject principal, UUID conversationId, boolean detach,
                          JsonArray messages, JsonObject repeats, int steps, int promptTokens, int completionTokens,
                          double costUsd, String owner, OffsetDateTime leaseUntil, int version,
                          OffsetDateTime createdAt, OffsetDateTime updatedAt, OffsetDateTime finishedAt) {
  }

  /** A step row: {@code detail} is the step as replies show it. */
  public record StoredStep(int seq, String type, String callId, String tool, String state, JsonObject detail) {
  }

  /** What a run's progress writes after a model turn or a tool turn. */
  public record Progress(JsonArray messages, JsonObject repeats, int steps, int promptTokens, int completionTokens,
                         double costUsd) {
  }

  private static final String COLUMNS = "id, tenant_id, agent, agent_spec, status, input, output, error, principal, "
    + "conversation_id, detach, messages, repeats, steps_count, prompt_tokens, completion_tokens, cost_usd, owner, "
    + "lease_until, version, created_at, updated_at, finished_at";

  private final Pool pool;

  public RunRepository(Pool pool) {
    this.pool = pool;
  }

  /** Stores a new run, {@code running} and held by {@code owner} for {@code leaseMs}. */
  public Future<Void> insert(UUID id, String tenant, String agent, JsonObject spec, String input, JsonObject principal,
                             UUID conversationId, boolean detach, JsonArray messages, String owner, long leaseMs) {
    return pool.withTransaction(conn -> conn
        .preparedQuery("insert into tenants(id) values ($1) on conflict do nothing").execute(Tuple.of(tenant))
        .compose(ignored -> conn.preparedQuery("insert into runs(id, tenant_id, agent, agent_spec, status, input, principal, "
            + "conversation_id, detach, messages, owner, lease_until) values ($1, $2, $3, $4, 'running', $5, $6, $7, $8, $9, $10, "
            + "now() + $11 * interval '1 millisecond')")
          .execute(Tuple.tuple().addValue(id).addValue(tenant).addValue(agent).addValue(spec).addValue(input)
            .addValue(principal).addValue(conversationId).addValue(detach).addValue(messages).addValue(owner)
            .addValue(leaseMs))))
      .mapEmpty();
  }

  /** The tenant's run, or empty (unknown, or another tenant's). */
  public Future<Optional<StoredRun>> get(String tenant, UUID id) {
    return pool.preparedQuery("select " + COLUMNS + " from runs where id = $1 and tenant_id = $2")
      .execute(Tuple.of(id, tenant))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toRun(rows.iterator().next())));
  }

  /** The tenant's runs of one agent, newest first, those after {@code after} (older) when given. */
  public Future<List<StoredRun>> list(String tenant, String agent, Keyset after, int limit) {
    return pool.preparedQuery("select " + COLUMNS + " from runs where tenant_id = $1 and agent = $2 and ($3::timestamptz is null "
        + "or (created_at, id) < ($3, $4)) order by created_at desc, id desc limit $5")
      .execute(Tuple.of(tenant, agent, after == null ? null : after.createdAt(), after == null ? null : after.id(), limit))
      .map(rows -> {
        List<StoredRun> runs = new ArrayList<>();
        rows.forEach(row -> runs.add(toRun(row)));
        return runs;
      });
  }

  public Future<List<StoredStep>> steps(UUID run) {
    return pool.preparedQuery("select seq, type, call_id, tool, state, detail from run_steps where run_id = $1 order by seq")
      .execute(Tuple.of(run))
      .map(rows -> {
        List<StoredStep> steps = new ArrayList<>();
        rows.forEach(row -> steps.add(new StoredStep(row.getInteger("seq"), row.getString("type"), row.getString("call_id"),
          row.getString("tool"), row.getString("state"), (JsonObject) row.getValue("detail"))));
        return steps;
      });
  }

  /**
   * Writes a model turn's progress and step while {@code owner} still holds the run, renewing its lease.
   *
   * @return false when the run is no longer this owner's (cancelled, taken over): stop
   */
  public Future<Boolean> progress(UUID run, String owner, long leaseMs, Progress p, List<StoredStep> newSteps) {
    return pool.withTransaction(conn -> conn.preparedQuery("update runs set messages = $3, repeats = $4, steps_count = $5, "
          + "prompt_tokens = $6, completion_tokens = $7, cost_usd = $8, lease_until = now() + $9 * interval '1 millisecond', "
          + "version = version + 1, updated_at = now() where id = $1 and owner = $2 and status = 'running'")
        .execute(Tuple.tuple().addValue(run).addValue(owner).addValue(p.messages()).addValue(p.repeats())
          .addValue(p.steps()).addValue(p.promptTokens()).addValue(p.completionTokens()).addValue(p.costUsd())
          .addValue(leaseMs))
        .compose(rows -> rows.rowCount() == 1 ? insertSteps(conn, run, newSteps).map(true) : Future.succeededFuture(false)));
  }

  /** Inserts steps (a tool step as {@code started}, before the tool runs). */
  public Future<Void> addSteps(UUID run, List<StoredStep> steps) {
    return pool.withConnection(conn -> insertSteps(conn, run, steps));
  }

  /** Marks a tool step done with its detail. */
  public Future<Void> finishStep(UUID run, int seq, JsonObject detail) {
    return pool.preparedQuery("update run_steps set state = 'done', detail = $3 where run_id = $1 and seq = $2")
      .execute(Tuple.of(run, seq, detail)).mapEmpty();
  }

  /**
   * Pauses the run for approval of {@code calls} (kept apart, until {@code expiresMs}), releasing its lease.
   *
   * @return false when the run was no longer this owner's
   */
  public Future<Boolean> pause(UUID run, String owner, Progress p, JsonArray calls, long expiresMs) {
    return pool.withTransaction(conn -> conn.preparedQuery("update runs set status = 'waiting_approval', messages = $3, "
          + "repeats = $4, steps_count = $5, prompt_tokens = $6, completion_tokens = $7, cost_usd = $8, owner = null, "
          + "lease_until = null, version = version + 1, updated_at = now() where id = $1 and owner = $2 and status = 'running' "
          + "returning " + EVENT_COLUMNS)
        .execute(Tuple.tuple().addValue(run).addValue(owner).addValue(p.messages()).addValue(p.repeats())
          .addValue(p.steps()).addValue(p.promptTokens()).addValue(p.completionTokens()).addValue(p.costUsd()))
        .compose(rows -> rows.rowCount() != 1 ? Future.succeededFuture(false)
          : conn.preparedQuery("insert into run_approvals(run_id, calls, expires_at) values ($1, $2, now() + $3 * interval "
              + "'1 millisecond') on conflict (run_id) do update set calls = excluded.calls, expires_at = excluded.expires_at")
            .execute(Tuple.of(run, calls, expiresMs))
            .compose(v -> announce(conn, rows.iterator().next(), calls))
            .map(true)));
  }

  /** The calls a paused run waits on (unexpired), or empty. */
  public Future<Optional<JsonArray>> pending(UUID run) {
    return pool.preparedQuery("select calls from run_approvals where run_id = $1 and expires_at > now()")
      .execute(Tuple.of(run))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of((JsonArray) rows.iterator().next().getValue("calls")));
  }

  /**
   * Takes a paused run for {@code owner} and removes its pending calls, in one transaction: of two approvals racing,
   * one gets the calls and the other an empty result.
   */
  public Future<Optional<JsonArray>> resumeApproved(String tenant, UUID run, String owner, long leaseMs) {
    return pool.withTransaction(conn -> conn.preparedQuery("update runs set status = 'running', owner = $3, lease_until = "
          + "now() + $4 * interval '1 millisecond', version = version + 1, updated_at = now() where id = $1 and tenant_id = $2 "
          + "and status = 'waiting_approval'")
        .execute(Tuple.of(run, tenant, owner, leaseMs))
        .compose(rows -> rows.rowCount() != 1 ? Future.succeededFuture(Optional.<JsonArray>empty())
          : conn.preparedQuery("delete from run_approvals where run_id = $1 and expires_at > now() returning calls")
            .execute(Tuple.of(run))
            .compose(deleted -> deleted.size() == 1
              ? Future.succeededFuture(Optional.of((JsonArray) deleted.iterator().next().getValue("calls")))
              // the approval expired: the run cannot go on
              : Future.failedFuture(new ApprovalExpiredException()))));
  }

  /** A pause whose pending calls were dropped after their retention. */
  public static final class ApprovalExpiredException extends RuntimeException {
    public ApprovalExpiredException() {
      super("the pending calls of this run expired", null, false, false);
    }
  }

  /**
   * Ends a run with a final status unless it already ended: from {@code running} (when {@code owner} holds it, or
   * {@code owner} is {@code null} for anyone) or from {@code waiting_approval}. Clears its messages and approvals.
   *
   * @return false when it had already ended
   */
  public Future<Boolean> finish(UUID run, String owner, String status, String output, JsonObject error, Progress p) {
    return pool.withTransaction(conn -> conn.preparedQuery("update runs set status = $3, output = $4, error = $5, "
          + "messages = null, repeats = $6, steps_count = $7, prompt_tokens = $8, completion_tokens = $9, cost_usd = $10, "
          + "owner = null, lease_until = null, version = version + 1, updated_at = now(), finished_at = now() where id = $1 "
          + "and (status = 'waiting_approval' or (status = 'running' and ($2::text is null or owner = $2))) "
          + "returning " + EVENT_COLUMNS)
        .execute(Tuple.tuple().addValue(run).addValue(owner).addValue(status).addValue(output).addValue(error)
          .addValue(p.repeats()).addValue(p.steps()).addValue(p.promptTokens()).addValue(p.completionTokens())
          .addValue(p.costUsd()))
        .compose(rows -> rows.rowCount() != 1 ? Future.succeededFuture(false)
          : conn.preparedQuery("delete from run_approvals where run_id = $1").execute(Tuple.of(run))
            .compose(v -> announce(conn, rows.iterator().next(), null))
            .map(true)));
  }

  /** Cancels a run that has not ended (any owner); false when it had already ended. */
  public Future<Boolean> cancel(String tenant, UUID run) {
    return pool.withTransaction(conn -> conn.preparedQuery("update runs set status = 'cancelled', messages = null, "
          + "owner = null, lease_until = null, version = version + 1, updated_at = now(), finished_at = now() "
          + "where id = $1 and tenant_id = $2 and status in ('running', 'waiting_approval') returning " + EVENT_COLUMNS)
        .execute(Tuple.of(run, tenant))
        .compose(rows -> rows.rowCount() != 1 ? Future.succeededFuture(false)
          : conn.preparedQuery("delete from run_approvals where run_id = $1").execute(Tuple.of(run))
            .compose(v -> announce(conn, rows.iterator().next(), null))
            .map(true)));
  }

  private static final String EVENT_COLUMNS = "id, tenant_id, agent, status, output, error, steps_count, prompt_tokens, "
    + "completion_tokens, cost_usd, updated_at";

  /**
   * Queues the run's new status for the tenant's webhooks, in the transaction that set it ({@link WebhookEvent#ofRunStatus}):
   * {@code {"id","agent","status","output","error","steps","usage":{"promptTokens","completionTokens"},"costUsd",
   * "updatedAt","pending"?}}, {@code pending} being the calls a paused run waits on.
   */
  private static Future<Integer> announce(SqlConnection conn, Row row, JsonArray pending) {
    String status = row.getString("status");
    JsonObject data = new JsonObject().put("id", row.getUUID("id").toString()).put("agent", row.getString("agent"))
      .put("status", status).put("output", row.getString("output")).put("error", row.getValue("error"))
      .put("steps", row.getInteger("steps_count"))
      .put("usage", new JsonObject().put("promptTokens", row.getInteger("prompt_tokens"))
        .put("completionTokens", row.getInteger("completion_tokens")))
      .put("costUsd", row.getValue("cost_usd") instanceof Number n ? n.doubleValue() : null)
      .put("updatedAt", row.getOffsetDateTime("updated_at").toString());
    if (pending != null) {
      data.put("pending", pending);
    }
    return WebhookEvent.ofRunStatus(status).enqueue(conn, row.getString("tenant_id"), data);
  }

  /** Gives up a running run held by {@code owner} (a graceful stop), so another node may take it over at once. */
  public Future<Void> release(UUID run, String owner) {
    return pool.preparedQuery("update runs set lease_until = now() where id = $1 and owner = $2 and status = 'running'")
      .execute(Tuple.of(run, owner)).mapEmpty();
  }

  /**
   * Takes over running runs whose lease ran out (their node died or stopped), at most {@code limit}: each is claimed
   * by compare-and-set, so two nodes never take the same run.
   */
  public Future<List<StoredRun>> claimOrphans(String owner, long leaseMs, int limit) {
    return pool.preparedQuery("update runs set owner = $1, lease_until = now() + $2 * interval '1 millisecond', "
        + "version = version + 1, updated_at = now() where id in (select id from runs where status = 'running' and "
        + "lease_until < now() order by lease_until limit $3 for update skip locked) and status = 'running' returning " + COLUMNS)
      .execute(Tuple.of(owner, leaseMs, limit))
      .map(rows -> {
        List<StoredRun> runs = new ArrayList<>();
        rows.forEach(row -> runs.add(toRun(row)));
        return runs;
      });
  }

  /** Drops pending calls past their retention; returns how many. */
  public Future<Integer> purgeExpiredApprovals() {
    return pool.preparedQuery("delete from run_approvals where expires_at <= now()").execute().map(rows -> rows.rowCount());
  }

  private static Future<Void> insertSteps(SqlConnection conn, UUID run, List<StoredStep> steps) {
    if (steps.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> batch = new ArrayList<>();
    for (StoredStep s : steps) {
      batch.add(Tuple.of(run, s.seq(), s.type(), s.callId(), s.tool(), s.state(), s.detail()));
    }
    return conn.preparedQuery("insert into run_steps(run_id, seq, type, call_id, tool, state, detail) values "
        + "($1, $2, $3, $4, $5, $6, $7)")
      .executeBatch(batch).mapEmpty();
  }

  private static StoredRun toRun(Row row) {
    Object messages = row.getValue("messages");
    Object repeats = row.getValue("repeats");
    return new StoredRun(row.getUUID("id"), row.getString("tenant_id"), row.getString("agent"),
      (JsonObject) row.getValue("agent_spec"), row.getString("status"), row.getString("input"), row.getString("output"),
      row.getValue("error") instanceof JsonObject e ? e : null, (JsonObject) row.getValue("principal"),
      row.getUUID("conversation_id"), row.getBoolean("detach"),
      messages instanceof JsonArray a ? a : null, repeats instanceof JsonObject r ? r : new JsonObject(),
      row.getInteger("steps_count"), row.getInteger("prompt_tokens"), row.getInteger("completion_tokens"),
      row.getDouble("cost_usd"), row.getString("owner"), row.getOffsetDateTime("lease_until"), row.getInteger("version"),
      row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"), row.getOffsetDateTime("finished_at"));
  }
}
