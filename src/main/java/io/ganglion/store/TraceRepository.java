package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Traces of answers (steps, retrieved chunks, generator, tokens, latency) and their feedback, scoped to a tenant. */
public final class TraceRepository {

  /**
   * A trace as stored.
   *
   * @param outcome   {@code answered}, {@code abstained}, {@code failed} or {@code cancelled}
   * @param steps     {@code [{"name","status","ms",...}]} in pipeline order
   * @param citations the reply's citations
   */
  public record Trace(UUID id, String tenant, String kb, UUID conversationId, String question, String query,
                      String answer, String outcome, String generator, boolean abstained, Double groundedness,
                      JsonArray steps, List<String> chunkIds, JsonArray citations, int promptTokens,
                      int completionTokens, int latencyMs, OffsetDateTime createdAt, Integer feedbackRating,
                      String feedbackComment, OffsetDateTime feedbackAt) {

    /** The JSON shape of an item of {@code GET /v1/traces}: no steps, answer or citations. */
    public JsonObject summary() {
      return new JsonObject().put("id", id.toString()).put("kb", kb).put("question", question).put("outcome", outcome)
        .put("generator", generator).put("abstained", abstained).put("latencyMs", latencyMs)
        .put("createdAt", createdAt.toString());
    }

    /** The JSON shape of {@code GET /v1/traces/{id}}. */
    public JsonObject toJson() {
      JsonObject json = new JsonObject()
        .put("id", id.toString()).put("kb", kb)
        .put("conversationId", conversationId == null ? null : conversationId.toString())
        .put("question", question).put("query", query).put("answer", answer).put("outcome", outcome)
        .put("generator", generator).put("abstained", abstained).put("groundedness", groundedness)
        .put("steps", steps).put("chunkIds", new JsonArray(List.copyOf(chunkIds))).put("citations", citations)
        .put("usage", new JsonObject().put("promptTokens", promptTokens).put("completionTokens", completionTokens)
          .put("totalTokens", promptTokens + completionTokens))
        .put("latencyMs", latencyMs).put("createdAt", createdAt.toString());
      if (feedbackRating != null) {
        json.put("feedback", new JsonObject().put("rating", feedbackRating).put("comment", feedbackComment)
          .put("at", feedbackAt == null ? null : feedbackAt.toString()));
      }
      return json;
    }
  }

  private static final String COLUMNS = "id, tenant_id, kb, conversation_id, question, query, answer, outcome, generator, "
    + "abstained, groundedness, steps, chunk_ids, citations, prompt_tokens, completion_tokens, latency_ms, created_at, "
    + "feedback_rating, feedback_comment, feedback_at";

  private final Pool pool;

  public TraceRepository(Pool pool) {
    this.pool = pool;
  }

  /** Stores a new trace; {@code createdAt} and feedback are ignored. */
  public Future<Void> insert(Trace t) {
    return pool.preparedQuery(TRACE_ONLY).execute(values(t))
      .<Void>mapEmpty()
      .recover(PgFailures::coded);
  }

  // one statement, one round trip: its parts see one snapshot, and the foreign keys are checked when it ends, so the
  // conversation and the tenant it inserts count for the trace and the messages inserted beside them
  private static final String TRACE_PART = "trace as (insert into traces(id, tenant_id, kb, conversation_id, question, "
    + "query, answer, outcome, generator, abstained, groundedness, steps, chunk_ids, citations, prompt_tokens, "
    + "completion_tokens, latency_ms) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17))";
  private static final String TURN_PART = "turn as (insert into messages(conversation_id, role, content, trace_id) "
    + "values ($4, 'user', $5, null), ($4, 'assistant', $7, $1))";
  private static final String TENANT_PART = "tenant as (insert into tenants(id) values ($2) on conflict do nothing)";
  private static final String TRACE_ONLY = "with " + TENANT_PART + ", " + TRACE_PART + " select 1";
  private static final String WITH_NEW_CONVERSATION = "with " + TENANT_PART + ", conversation as (insert into "
    + "conversations(id, tenant_id, kb) values ($4, $2, $3)), " + TRACE_PART + ", " + TURN_PART + " select 1";
  private static final String WITH_TURN = "with " + TENANT_PART + ", " + TRACE_PART + ", " + TURN_PART
    + ", touched as (update conversations set updated_at = now() where id = $4) select 1";

  /**
   * Stores a new trace and its conversation turn in one statement: the question ({@code t.question()}) and the answer
   * ({@code t.answer()}) appended to conversation {@code t.conversationId()} as a user and an assistant message, the
   * assistant's pointing at the trace. With {@code newConversation} the conversation (of {@code t.tenant()} about
   * {@code t.kb()}) is created by the same statement, else it exists and its {@code updated_at} moves. All or nothing;
   * the same rows as {@link ConversationRepository#create}, {@link #insert} and
   * {@link ConversationRepository#appendTurn} one after the other, in one round trip instead of a dozen.
   */
  public Future<Void> insertWithTurn(Trace t, boolean newConversation) {
    if (t.conversationId() == null) {
      throw new IllegalArgumentException("a turn needs the trace's conversation");
    }
    return pool.preparedQuery(newConversation ? WITH_NEW_CONVERSATION : WITH_TURN).execute(values(t))
      .<Void>mapEmpty()
      .recover(PgFailures::coded);
  }

  private static Tuple values(Trace t) {
    return Tuple.tuple().addValue(t.id()).addValue(t.tenant()).addValue(t.kb()).addValue(t.conversationId())
      .addValue(t.question()).addValue(t.query()).addValue(t.answer()).addValue(t.outcome())
      .addValue(t.generator()).addValue(t.abstained()).addValue(t.groundedness()).addValue(t.steps())
      .addValue(t.chunkIds().toArray(String[]::new)).addValue(t.citations()).addValue(t.promptTokens())
      .addValue(t.completionTokens()).addValue(t.latencyMs());
  }

  /** The tenant's trace, or empty when it does not exist or belongs to another tenant. */
  public Future<Optional<Trace>> get(String tenant, UUID id) {
    return pool.preparedQuery("select " + COLUMNS + " from traces where id = $1 and tenant_id = $2")
      .execute(Tuple.of(id, tenant))
      .map(rows -> rows.size() == 0 ? Optional.<Trace>empty() : Optional.of(toTrace(rows.iterator().next())))
      .recover(PgFailures::coded);
  }

  /**
   * The tenant's traces, newest first ({@code created_at}, then id), of one KB when {@code kb} is given, those after
   * {@code after} (older) when given, at most {@code limit}.
   */
  public Future<List<Trace>> list(String tenant, String kb, Keyset after, int limit) {
    return pool.preparedQuery("select " + COLUMNS + " from traces where tenant_id = $1 and ($2::text is null or kb = $2) "
        + "and ($3::timestamptz is null or (created_at, id) < ($3, $4)) order by created_at desc, id desc limit $5")
      .execute(Tuple.of(tenant, kb, after == null ? null : after.createdAt(), after == null ? null : after.id(), limit))
      .recover(PgFailures::coded)
      .map(rows -> {
        List<Trace> traces = new java.util.ArrayList<>();
        rows.forEach(row -> traces.add(toTrace(row)));
        return traces;
      });
  }

  /** Records feedback on the tenant's trace (replacing earlier feedback); false when there is no such trace. */
  public Future<Boolean> feedback(String tenant, UUID id, int rating, String comment) {
    return pool.preparedQuery("update traces set feedback_rating = $3, feedback_comment = $4, feedback_at = now() "
        + "where id = $1 and tenant_id = $2")
      .execute(Tuple.of(id, tenant, rating, comment))
      .map(rows -> rows.rowCount() == 1)
      .recover(PgFailures::coded);
  }

  private static Trace toTrace(Row row) {
    Object steps = row.getValue("steps");
    Object citations = row.getValue("citations");
    String[] chunkIds = row.getArrayOfStrings("chunk_ids");
    Short rating = row.getShort("feedback_rating");
    return new Trace(row.getUUID("id"), row.getString("tenant_id"), row.getString("kb"), row.getUUID("conversation_id"),
      row.getString("question"), row.getString("query"), row.getString("answer"), row.getString("outcome"),
      row.getString("generator"), row.getBoolean("abstained"), row.getDouble("groundedness"),
      steps instanceof JsonArray a ? a : new JsonArray(), chunkIds == null ? List.of() : List.of(chunkIds),
      citations instanceof JsonArray c ? c : new JsonArray(), row.getInteger("prompt_tokens"),
      row.getInteger("completion_tokens"), row.getInteger("latency_ms"), row.getOffsetDateTime("created_at"),
      rating == null ? null : rating.intValue(), row.getString("feedback_comment"), row.getOffsetDateTime("feedback_at"));
  }
}
