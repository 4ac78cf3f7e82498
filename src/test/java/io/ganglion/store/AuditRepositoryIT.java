package io.ganglion.store;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.ganglion.store.StorePostgres.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("AuditRepository on a real PostgreSQL")
class AuditRepositoryIT {

  static AuditRepository audit;

  @BeforeAll
  static void start(Vertx vertx) {
    audit = new AuditRepository(StorePostgres.pool(vertx));
  }

  @Test
  @DisplayName("one tenant's events are listed newest first and without another tenant's")
  void tenantScoped() {
    String owner = StorePostgres.tenant();
    String other = StorePostgres.tenant();
    for (String action : new String[]{"key.create", "key.revoke"}) {
      await(audit.append(new AuditRepository.Event("req-1", "admin", owner, action, "k1", "127.0.0.1", new JsonObject())));
    }
    await(audit.append(new AuditRepository.Event("req-2", "admin", other, "tenant.create", other, "127.0.0.1", null)));
    JsonArray events = await(audit.recent(owner, 10));
    assertThat(events.stream().map(e -> ((JsonObject) e).getString("action"))).containsExactly("key.revoke", "key.create");
    assertThat(events.stream().map(e -> ((JsonObject) e).getString("tenant"))).containsOnly(owner);
    assertThat(await(audit.recent(owner, 1))).hasSize(1);
  }
}
