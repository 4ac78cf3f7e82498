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

  @BeforeAll
  static void start(Vertx vertx) {
    traces = new TraceRepository(StorePostgres.pool(vertx));
  }

  static TraceRepository.Trace trace(UUID id, String tenant) {
    return new TraceRepository.Trace(id, tenant, "handbook", null, "How many vacation days?", "vacation days",
      "25 days [1].", "answered", "extractive", false, 0.9, new JsonArray().add(new JsonObject().put("name", "retrieve")),
      List.of("vacation#0"), new JsonArray(), 12, 5, 40, null, null, null, null);
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
