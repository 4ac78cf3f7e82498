package io.ganglion.store;

import io.ganglion.bus.ErrorCode;
import io.ganglion.config.PostgresConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The store tests' PostgreSQL: one real embedded server for the test JVM (started and migrated on first use, stopped
 * at exit), pools on it, and a pool on a port where nothing listens (PostgreSQL down). Tests share the database, so
 * each makes its own tenants ({@link #tenant()}).
 */
final class StorePostgres {

  private static EmbeddedPostgresServer server;

  private StorePostgres() {
  }

  static synchronized String url() {
    if (server == null) {
      try {
        server = EmbeddedPostgresServer.start(Files.createTempDirectory(Path.of("target"), "store-pg-"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Migrations.migrate(server.url(), 5_000);
      EmbeddedPostgresServer started = server;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          started.close();
        } catch (IOException e) {
          // the JVM is exiting; the data directory is under target/
        }
      }));
    }
    return server.url();
  }

  /** The shared pool of {@code vertx} on the embedded server, as the verticles get it. */
  static Pool pool(Vertx vertx) {
    return Stores.postgres(vertx, new PostgresConfig(url(), 4, 5_000, 30_000));
  }

  /** A pool on a loopback port nobody listens on: every query finds PostgreSQL down. */
  static Pool unreachable(Vertx vertx) {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
      .connectingTo(PgConnectOptions.fromUri("postgresql://postgres@127.0.0.1:" + port + "/postgres"))
      .using(vertx).build();
  }

  /** A fresh tenant id. */
  static String tenant() {
    return "t-" + UUID.randomUUID().toString().substring(0, 12);
  }

  /** The future's result, waiting at most 30 s. */
  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected success, failed with " + e.getCause(), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("no result within 30 s", e);
    }
  }

  /** The future's failure, waiting at most 30 s; fails the test when it succeeds. */
  static Throwable failure(Future<?> future) {
    try {
      Object result = future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return fail("expected a failure, got " + result);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("no result within 30 s", e);
    }
  }

  /** Asserts the future fails as a bus failure with {@code code}; returns its message. */
  static String failsWith(Future<?> future, ErrorCode code) {
    Throwable failure = failure(future);
    assertThat(failure).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) failure).failureCode()).as(String.valueOf(failure)).isEqualTo(code.code());
    return failure.getMessage();
  }
}
