package io.ganglion.store;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.ganglion.store.StorePostgres.await;
import static io.ganglion.store.StorePostgres.failsWith;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("KbRepository on a real PostgreSQL")
class KbRepositoryIT {

  static KbRepository kbs;

  @BeforeAll
  static void start(Vertx vertx) {
    kbs = new KbRepository(StorePostgres.pool(vertx));
  }

  @Test
  @DisplayName("another tenant's knowledge base is not found, listed or deleted by name")
  void tenantScoped() {
    String owner = StorePostgres.tenant();
    String other = StorePostgres.tenant();
    KbRepository.Kb kb = await(kbs.create(owner, "handbook", 4));
    assertThat(await(kbs.get(owner, "handbook"))).contains(kb);
    assertThat(await(kbs.get(other, "handbook"))).isEmpty();
    assertThat(await(kbs.list(other))).isEmpty();
    assertThat(await(kbs.delete(other, "handbook"))).isFalse();
    assertThat(await(kbs.list(owner))).containsExactly(kb);
  }

  @Test
  @DisplayName("a name the tenant already uses fails with 4090 (conflict); another tenant may use it")
  void duplicateName() {
    String owner = StorePostgres.tenant();
    await(kbs.create(owner, "faq", 4));
    assertThat(failsWith(kbs.create(owner, "faq", 4), ErrorCode.CONFLICT)).isEqualTo("knowledge base 'faq' already exists");
    assertThat(await(kbs.create(StorePostgres.tenant(), "faq", 4)).name()).isEqualTo("faq");
  }

  @Test
  @DisplayName("delete removes the knowledge base once: true, then false")
  void deleteOnce() {
    String owner = StorePostgres.tenant();
    await(kbs.create(owner, "old", 4));
    assertThat(await(kbs.delete(owner, "old"))).isTrue();
    assertThat(await(kbs.delete(owner, "old"))).isFalse();
    assertThat(await(kbs.get(owner, "old"))).isEmpty();
  }

  @Test
  @DisplayName("a knowledge base keeps the shard count it was created with; all() lists every tenant's with its version")
  void shardsAndAll() {
    String owner = StorePostgres.tenant();
    KbRepository.Kb two = await(kbs.create(owner, "two-shards", 2));
    KbRepository.Kb eight = await(kbs.create(owner, "eight-shards", 8));
    assertThat(two.shards()).isEqualTo(2);
    assertThat(await(kbs.get(owner, "eight-shards")).orElseThrow().shards()).isEqualTo(8);
    assertThat(await(kbs.all())).extracting(KbRepository.KbVersion::kb).contains(two, eight);
    assertThat(await(kbs.all())).filteredOn(v -> v.kb().equals(two)).extracting(KbRepository.KbVersion::version)
      .containsExactly(0L);
  }

  @Test
  @DisplayName("knowledge bases from before shard counts were recorded get the configured count, once")
  void legacyShards(io.vertx.core.Vertx vertx) {
    String owner = StorePostgres.tenant();
    KbRepository.Kb kb = await(kbs.create(owner, "legacy", 4));
    await(StorePostgres.pool(vertx).query("update kbs set shards = null where id = " + kb.id()).execute());
    assertThat(await(kbs.recordShards(6))).isGreaterThanOrEqualTo(1);
    assertThat(await(kbs.get(owner, "legacy")).orElseThrow().shards()).isEqualTo(6);
    assertThat(await(kbs.recordShards(3))).isZero();
  }
}
