package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Conversations and their messages in PostgreSQL, always scoped to a tenant. */
public final class ConversationRepository {

  /** A conversation row. */
  public record Conversation(UUID id, String tenant, String kb, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
  }

  /** One turn; {@code traceId} is the answer's trace for assistant turns, else {@code null}. */
  public record Message(String role, String content, UUID traceId, OffsetDateTime createdAt) {
  }

  private final Pool pool;

  public ConversationRepository(Pool pool) {
    this.pool = pool;
  }

  /** Creates an empty conversation with a fresh id. */
  public Future<Conversation> create(String tenant, String kb) {
    UUID id = UUID.randomUUID();
    return pool.withTransaction(conn -> TenantRepository.ensure(conn, tenant)
        .compose(ignored -> conn.preparedQuery(
            "insert into conversations(id, tenant_id, kb) values ($1, $2, $3) returning id, tenant_id, kb, created_at, updated_at")
          .execute(Tuple.of(id, tenant, kb))))
      .map(rows -> toConversation(rows.iterator().next()))
      .recover(PgFailures::coded);
  }

  /** The tenant's conversation, or empty when it does not exist or belongs to another tenant. */
  public Future<Optional<Conversation>> get(String tenant, UUID id) {
    return pool.preparedQuery("select id, tenant_id, kb, created_at, updated_at from conversations where id = $1 and tenant_id = $2")
      .execute(Tuple.of(id, tenant))
      .map(rows -> rows.size() == 0 ? Optional.<Conversation>empty() : Optional.of(toConversation(rows.iterator().next())))
      .recover(PgFailures::coded);
  }

  /** The last {@code limit} messages, oldest first. */
  public Future<List<Message>> recentMessages(UUID conversation, int limit) {
    return pool.preparedQuery("select role, content, trace_id, created_at from messages where conversation_id = $1 order by id desc limit $2")
      .execute(Tuple.of(conversation, limit))
      .map(rows -> {
        List<Message> messages = toMessages(rows);
        Collections.reverse(messages);
        return messages;
      })
      .recover(PgFailures::coded);
  }

  /** Every message, oldest first. */
  public Future<List<Message>> messages(UUID conversation) {
    return pool.preparedQuery("select role, content, trace_id, created_at from messages where conversation_id = $1 order by id")
      .execute(Tuple.of(conversation))
      .map(ConversationRepository::toMessages)
      .recover(PgFailures::coded);
  }

  /** Appends a question and its answer as one transaction and touches the conversation. */
  public Future<Void> appendTurn(UUID conversation, String question, String answer, UUID traceId) {
    return pool.withTransaction(conn -> conn
        .preparedQuery("insert into messages(conversation_id, role, content, trace_id) values ($1, $2, $3, $4)")
        .executeBatch(List.of(Tuple.of(conversation, "user", question, null), Tuple.of(conversation, "assistant", answer, traceId)))
        .compose(ignored -> conn.preparedQuery("update conversations set updated_at = now() where id = $1")
          .execute(Tuple.of(conversation))))
      .<Void>mapEmpty()
      .recover(PgFailures::coded);
  }

  private static List<Message> toMessages(RowSet<Row> rows) {
    List<Message> messages = new ArrayList<>();
    rows.forEach(row -> messages.add(new Message(row.getString("role"), row.getString("content"),
      row.getUUID("trace_id"), row.getOffsetDateTime("created_at"))));
    return messages;
  }

  private static Conversation toConversation(Row row) {
    return new Conversation(row.getUUID("id"), row.getString("tenant_id"), row.getString("kb"),
      row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"));
  }
}
