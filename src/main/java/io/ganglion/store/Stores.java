package io.ganglion.store;

import io.ganglion.config.PostgresConfig;
import io.ganglion.config.RedisConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Clients for the stores. Pools are shared by name, so every verticle instance that asks gets the same connections.
 */
public final class Stores {

  /** How long {@link #open} holds the connections it got while waiting for the rest. */
  static final long OPEN_WAIT_MS = 1_000;

  private Stores() {
  }

  /**
   * The shared PostgreSQL pool; closing it from one verticle only releases that verticle's reference. Statements and
   * transactions not answered within {@code postgres.queryTimeoutMs} fail as unavailable ({@link DeadlinePool}), so no
   * request waits on a partitioned connection past its deadline.
   */
  public static Pool postgres(Vertx vertx, PostgresConfig config) {
    PgConnectOptions connect = PgConnectOptions.fromUri(config.url())
      .setCachePreparedStatements(true)
      .setPipeliningLimit(64);
    Pool pool = PgBuilder.pool()
      .with(new PoolOptions().setMaxSize(config.poolSize()).setShared(true).setName("ganglion-pg")
        .setConnectionTimeout((int) config.connectTimeoutMs()).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
      .connectingTo(connect)
      .using(vertx)
      .build();
    return new DeadlinePool(pool, config.queryTimeoutMs());
  }

  /**
   * Takes {@code connections} connections of {@code pool} at once and gives them back, so that many are open when the
   * first requests after a start arrive: the pool opens connections only when every open one is busy, and each
   * opening costs the caller a PostgreSQL backend start (a process and its authentication, 5-10 ms on one machine).
   * Completes with how many it held together, never fails (PostgreSQL down: 0). It waits at most
   * {@value #OPEN_WAIT_MS} ms: when others hold some of the pool's connections (a long rebuild at start), the ones it
   * took go back then, so it never keeps the rest of the pool from them for longer, and any that comes later is given
   * back on arrival.
   */
  public static Future<Integer> open(Pool pool, int connections) {
    List<Future<SqlConnection>> held = new ArrayList<>(connections);
    for (int i = 0; i < connections; i++) {
      held.add(pool.getConnection());
    }
    return Future.join(held).timeout(OPEN_WAIT_MS, TimeUnit.MILLISECONDS).transform(ar -> {
      // counted before any goes back: a connection given back can go at once to one of the late waits, whose future
      // would then count as held together with the others
      int opened = (int) held.stream().filter(Future::succeeded).count();
      held.forEach(connection -> connection.onSuccess(SqlConnection::close));
      return Future.succeededFuture(opened);
    });
  }

  /** A Redis client (standalone) with its own connection pool. */
  public static Redis redis(Vertx vertx, RedisConfig config) {
    return Redis.createClient(vertx, new RedisOptions()
      .setType(RedisClientType.STANDALONE)
      .setConnectionString(config.url())
      .setMaxPoolSize(config.poolSize())
      .setMaxPoolWaiting(1024)
      .setPoolRecycleTimeout(15_000)
      .setNetClientOptions(new io.vertx.core.net.NetClientOptions().setConnectTimeout((int) config.connectTimeoutMs())));
  }
}
