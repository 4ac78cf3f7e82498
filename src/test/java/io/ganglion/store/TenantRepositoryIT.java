package io.ganglion.store;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static io.ganglion.store.StorePostgres.await;
import static io.ganglion.store.StorePostgres.failsWith;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("TenantRepository on a real PostgreSQL")
class TenantRepositoryIT {

  static Vertx vertx;
  static TenantRepository tenants;
  static KbRepository kbs;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    Pool pool = StorePostgres.pool(vertx);
    tenants = new TenantRepository(pool);
    kbs = new KbRepository(pool);
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  @DisplayName("creating a tenant twice fails with 4090 (conflict) naming it")
  void createTwice() {
    String tenant = StorePostgres.tenant();
    await(tenants.create(tenant));
    assertThat(failsWith(tenants.create(tenant), ErrorCode.CONFLICT)).contains(tenant);
  }

  @Test
  @DisplayName("a tenant created by its first knowledge base exists afterwards: creating it explicitly conflicts")
  void createdImplicitly() {
    String tenant = StorePostgres.tenant();
    await(kbs.create(tenant, "first"));
    failsWith(tenants.create(tenant), ErrorCode.CONFLICT);
  }
}
