package io.ganglion.store;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static io.ganglion.store.StorePostgres.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("Stores.open on a real PostgreSQL")
class StoresIT {

  @Test
  @DisplayName("leaves the asked number of connections open in the pool, where one statement at a time left one")
  void opensConnections(Vertx vertx) {
    Pool pool = named(vertx, "stores-open-it", 6);
    Pool other = named(vertx, "stores-open-it-control", 6);
    try {
      await(other.query("SELECT 1").execute());
      assertThat(await(Stores.open(pool, 5))).isEqualTo(5);
      // counted from a third pool, so the count's own connection is neither of theirs
      Pool counter = StorePostgres.pool(vertx);
      assertThat(backends(counter, "stores-open-it")).isEqualTo(5);
      assertThat(backends(counter, "stores-open-it-control")).isEqualTo(1);
      // they serve statements afterwards: they were given back, not leaked
      assertThat(await(Stores.open(pool, 6))).isEqualTo(6);
    } finally {
      pool.close();
      other.close();
    }
  }

  @Test
  @DisplayName("gives back what it took after a second when others hold the rest of the pool, so they are never starved")
  void busyPool(Vertx vertx) {
    Pool pool = named(vertx, "stores-open-it-busy", 3);
    try {
      SqlConnection first = await(pool.getConnection());
      SqlConnection second = await(pool.getConnection());
      long started = System.nanoTime();
      assertThat(await(Stores.open(pool, 3))).isEqualTo(1);
      assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(5));
      // the one it held is free again: a statement gets it while the other two are still held
      assertThat(await(pool.query("SELECT 1").execute()).size()).isEqualTo(1);
      // the two waits that came too late give their connections back when they get them
      first.close();
      second.close();
      assertThat(await(Stores.open(pool, 3))).isEqualTo(3);
    } finally {
      pool.close();
    }
  }

  @Test
  @DisplayName("completes with 0, not a failure, when PostgreSQL is down")
  void down(Vertx vertx) {
    Pool pool = StorePostgres.unreachable(vertx);
    try {
      assertThat(await(Stores.open(pool, 3))).isZero();
    } finally {
      pool.close();
    }
  }

  private static Pool named(Vertx vertx, String application, int size) {
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(size))
      .connectingTo(PgConnectOptions.fromUri(StorePostgres.url()).addProperty("application_name", application))
      .using(vertx).build();
  }

  private static long backends(Pool counter, String application) {
    return await(counter.preparedQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1")
      .execute(Tuple.of(application))).iterator().next().getLong(0);
  }
}
