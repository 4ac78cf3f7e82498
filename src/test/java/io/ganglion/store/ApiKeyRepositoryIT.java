package io.ganglion.store;

import io.ganglion.bus.ErrorCode;
import io.ganglion.http.auth.AdminKeyBootstrap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static io.ganglion.store.StorePostgres.await;
import static io.ganglion.store.StorePostgres.failsWith;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("ApiKeyRepository on a real PostgreSQL")
class ApiKeyRepositoryIT {

  static ApiKeyRepository keys;

  @BeforeAll
  static void start(Vertx vertx) {
    keys = new ApiKeyRepository(StorePostgres.pool(vertx));
  }

  static ApiKeyRepository.Grant grant(String tenant) {
    return new ApiKeyRepository.Grant(tenant, "api", List.of("kb:read", "chat"), 60, null, null);
  }

  @Test
  @DisplayName("a stored key verifies by its clear text only; the row holds its rights, never the key")
  void verify() {
    String tenant = StorePostgres.tenant();
    String key = ApiKeyRepository.newKey();
    ApiKeyRepository.CreatedKey created = await(keys.insert(grant(tenant), key));
    assertThat(created.key()).isEqualTo(key);
    ApiKeyRepository.StoredKey stored = await(keys.verify(key)).orElseThrow();
    assertThat(stored.id()).isEqualTo(created.stored().id());
    assertThat(stored.tenant()).isEqualTo(tenant);
    assertThat(stored.scopes()).containsExactly("kb:read", "chat");
    assertThat(stored.rpm()).isEqualTo(60);
    assertThat(await(keys.verify(ApiKeyRepository.newKey()))).isEmpty();
  }

  @Test
  @DisplayName("listing by tenant shows only that tenant's keys")
  void tenantScoped() {
    String owner = StorePostgres.tenant();
    String other = StorePostgres.tenant();
    String id = await(keys.insert(grant(owner), ApiKeyRepository.newKey())).stored().id();
    assertThat(await(keys.list(owner, null, 100))).extracting(ApiKeyRepository.StoredKey::id).containsExactly(id);
    assertThat(await(keys.list(other, null, 100))).isEmpty();
  }

  @Test
  @DisplayName("the same key stored twice fails with 4090 (conflict)")
  void sameKeyTwice() {
    String key = ApiKeyRepository.newKey();
    await(keys.insert(grant(StorePostgres.tenant()), key));
    failsWith(keys.insert(grant(StorePostgres.tenant()), key), ErrorCode.CONFLICT);
  }

  @Test
  @DisplayName("a key is revoked once: the first revoke returns it, a second or an unknown id returns nothing")
  void revoke() {
    String key = ApiKeyRepository.newKey();
    String id = await(keys.insert(grant(StorePostgres.tenant()), key)).stored().id();
    assertThat(await(keys.revoke(id)).orElseThrow().id()).isEqualTo(id);
    assertThat(await(keys.revoke(id))).isEmpty();
    assertThat(await(keys.revoke("not-a-uuid"))).isEmpty();
    assertThat(await(keys.verify(key)).orElseThrow().revokedAt()).isNotNull();
  }

  @Test
  @DisplayName("nodes sharing one PostgreSQL that start together with the same admin.key all start, with one live key")
  void bootstrapRace() {
    String key = ApiKeyRepository.newKey();
    List<Future<?>> starts = IntStream.range(0, 4)
      .<Future<?>>mapToObj(node -> AdminKeyBootstrap.ensure(keys, key, Path.of("unused")))
      .toList();
    await(Future.all(starts));
    assertThat(await(keys.verify(key)).orElseThrow().revokedAt()).isNull();
    assertThat(await(keys.byName(AdminKeyBootstrap.NAME))).hasSize(1);
  }
}
