package io.ganglion.store;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.UUID;

import static io.ganglion.store.StorePostgres.await;
import static io.ganglion.store.StorePostgres.failsWith;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("TraceRepository on a real PostgreSQL")
class TraceRepositoryIT {

  static TraceRepository traces;
  static ConversationRepository conversations;

  @BeforeAll
  static void start(Vertx vertx) {
    io.vertx.sqlclient.Pool pool = StorePostgres.pool(vertx);
    traces = new TraceRepository(pool);
    conversations = new ConversationRepository(pool);
  }

  static TraceRepository.Trace trace(UUID id, String tenant) {
    return trace(id, tenant, null, "How many vacation days?", "25 days [1].");
  }

  static TraceRepository.Trace trace(UUID id, String tenant, UUID conversation, String question, String answer) {
    return new TraceRepository.Trace(id, tenant, "handbook", conversation, question, "vacation days",
      answer, "answered", "extractive", false, 0.9, new JsonArray().add(new JsonObject().put("name", "retrieve")),
      List.of("vacation#0"), new JsonArray(), 12, 5, 40, null, null, null, null);
  }

  @Test
  @DisplayName("a trace stored with its turn creates the tenant and the conversation in the same statement, and a later turn appends to that conversation and moves its updated_at")
  void withTurn() {
    String tenant = StorePostgres.tenant();
    UUID conversation = UUID.randomUUID();
    UUID first = UUID.randomUUID();
    await(traces.insertWithTurn(trace(first, tenant, conversation, "How many vacation days?", "25 days [1]."), true));
    ConversationRepository.Conversation created = await(conversations.get(tenant, conversation)).orElseThrow();
    assertThat(created.kb()).isEqualTo("handbook");
    assertThat(await(traces.get(tenant, first)).orElseThrow().conversationId()).isEqualTo(conversation);

    UUID second = UUID.randomUUID();
    await(traces.insertWithTurn(trace(second, tenant, conversation, "And after five years?", "30 days [1]."), false));
    List<ConversationRepository.Message> messages = await(conversations.recentMessages(conversation, 10));
    assertThat(messages).extracting(ConversationRepository.Message::role)
      .containsExactly("user", "assistant", "user", "assistant");
    assertThat(messages).extracting(ConversationRepository.Message::content)
      .containsExactly("How many vacation days?", "25 days [1].", "And after five years?", "30 days [1].");
    assertThat(messages).extracting(ConversationRepository.Message::traceId).containsExactly(null, first, null, second);
    assertThat(await(conversations.get(tenant, conversation)).orElseThrow().updatedAt())
      .isAfterOrEqualTo(created.updatedAt());
  }

  @Test
  @DisplayName("a turn of a conversation that does not exist stores nothing, not even its trace")
  void turnOfNoConversation() {
    String tenant = StorePostgres.tenant();
    UUID id = UUID.randomUUID();
    assertThat(StorePostgres.failure(traces.insertWithTurn(trace(id, tenant, UUID.randomUUID(), "Who?", "Nobody."),
      false))).hasMessageContaining("foreign key");
    assertThat(await(traces.get(tenant, id))).isEmpty();
  }

  @Test
  @DisplayName("a trace is stored as given, and another tenant's id finds nothing and takes no feedback")
  void tenantScoped() {
    String owner = StorePostgres.tenant();
    UUID id = UUID.randomUUID();
    await(traces.insert(trace(id, owner)));
    TraceRepository.Trace stored = await(traces.get(owner, id)).orElseThrow();
    assertThat(stored.answer()).isEqualTo("25 days [1].");
    assertThat(stored.chunkIds()).containsExactly("vacation#0");
    assertThat(stored.promptTokens()).isEqualTo(12);
    String other = StorePostgres.tenant();
    assertThat(await(traces.get(other, id))).isEmpty();
    assertThat(await(traces.feedback(other, id, 1, "not mine"))).isFalse();
    assertThat(await(traces.get(owner, id)).orElseThrow().feedbackRating()).isNull();
  }

  @Test
  @DisplayName("feedback replaces earlier feedback on the owner's trace")
  void feedback() {
    String owner = StorePostgres.tenant();
    UUID id = UUID.randomUUID();
    await(traces.insert(trace(id, owner)));
    assertThat(await(traces.feedback(owner, id, -1, "wrong"))).isTrue();
    assertThat(await(traces.feedback(owner, id, 1, "fixed"))).isTrue();
    TraceRepository.Trace stored = await(traces.get(owner, id)).orElseThrow();
    assertThat(stored.feedbackRating()).isEqualTo(1);
    assertThat(stored.feedbackComment()).isEqualTo("fixed");
  }

  @Test
  @DisplayName("a trace id stored twice fails with 4090 (conflict)")
  void sameIdTwice() {
    UUID id = UUID.randomUUID();
    await(traces.insert(trace(id, StorePostgres.tenant())));
    failsWith(traces.insert(trace(id, StorePostgres.tenant())), ErrorCode.CONFLICT);
  }
}
