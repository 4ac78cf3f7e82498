package io.ganglion.store;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.ganglion.store.StorePostgres.await;
import static io.ganglion.store.StorePostgres.failsWith;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("TenantRepository on a real PostgreSQL")
class TenantRepositoryIT {

  static TenantRepository tenants;
  static KbRepository kbs;

  @BeforeAll
  static void start(Vertx vertx) {
    Pool pool = StorePostgres.pool(vertx);
    tenants = new TenantRepository(pool);
    kbs = new KbRepository(pool);
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
    await(kbs.create(tenant, "first", 4));
    failsWith(tenants.create(tenant), ErrorCode.CONFLICT);
  }
}
