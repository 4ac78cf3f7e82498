package io.ganglion.store;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;

import static io.ganglion.store.StorePostgres.await;
import static io.ganglion.store.StorePostgres.failure;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("ConversationRepository on a real PostgreSQL")
class ConversationRepositoryIT {

  static ConversationRepository conversations;

  @BeforeAll
  static void start(Vertx vertx) {
    conversations = new ConversationRepository(StorePostgres.pool(vertx));
  }

  @Test
  @DisplayName("another tenant's conversation id finds nothing")
  void tenantScoped() {
    String owner = StorePostgres.tenant();
    ConversationRepository.Conversation created = await(conversations.create(owner, "handbook"));
    assertThat(await(conversations.get(owner, created.id()))).contains(created);
    assertThat(await(conversations.get(StorePostgres.tenant(), created.id()))).isEmpty();
    assertThat(await(conversations.get(owner, UUID.randomUUID()))).isEmpty();
  }

  @Test
  @DisplayName("turns come back in order, the recent ones oldest first")
  void turns() {
    UUID id = await(conversations.create(StorePostgres.tenant(), "handbook")).id();
    await(conversations.appendTurn(id, "q1", "a1", null));
    await(conversations.appendTurn(id, "q2", "a2", null));
    assertThat(await(conversations.messages(id))).extracting(ConversationRepository.Message::content)
      .containsExactly("q1", "a1", "q2", "a2");
    assertThat(await(conversations.recentMessages(id, 3))).extracting(ConversationRepository.Message::content)
      .containsExactly("a1", "q2", "a2");
  }

  @Test
  @DisplayName("a turn is stored whole or not at all: a turn for a missing conversation leaves no message behind")
  void turnIsAtomic() {
    UUID missing = UUID.randomUUID();
    assertThat(failure(conversations.appendTurn(missing, "q", "a", null))).isNotNull();
    assertThat(await(conversations.messages(missing))).isEmpty();
  }
}
