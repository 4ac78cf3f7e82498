package io.ganglion.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * For tests of event-loop-confined Redis users (rate limiter, response cache): an embedded Redis, a Vert.x with a
 * client of it, and one context to run the code under test on, as its verticle would.
 */
public final class RedisOnContext implements AutoCloseable {

  public final Vertx vertx;
  public final Redis redis;
  private final EmbeddedRedisServer server;
  private final Context context;

  private RedisOnContext(EmbeddedRedisServer server) {
    this.server = server;
    this.vertx = Vertx.vertx();
    this.redis = Redis.createClient(vertx, server.url());
    this.context = vertx.getOrCreateContext();
  }

  /** Starts an embedded Redis with its data under {@code target/<prefix>...}. */
  public static RedisOnContext start(String prefix) throws IOException {
    return new RedisOnContext(EmbeddedRedisServer.start(Files.createTempDirectory(Path.of("target"), prefix)));
  }

  /** Runs {@code work} on the context and waits (at most 20 s) for its result. */
  public <T> T run(Supplier<Future<T>> work) throws Exception {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(done));
    return done.future().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    server.close();
  }
}
