package io.ganglion.store;

import redis.embedded.RedisServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real Redis server (embedded-redis's packaged binaries) on a free loopback port, working in
 * {@code dataDir/redis}. Used when no {@code redis.url} is configured. Redis only holds caches and rate-limit buckets,
 * so it runs without persistence.
 */
public final class EmbeddedRedisServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedisServer.class);

  private final RedisServer server;
  private final int port;

  private EmbeddedRedisServer(RedisServer server, int port) {
    this.server = server;
    this.port = port;
  }

  public static EmbeddedRedisServer start(Path dataDir) throws IOException {
    Path dir = Files.createDirectories(dataDir.resolve("redis"));
    int port = freePort();
    RedisServer server = RedisServer.newRedisServer()
      .bind("127.0.0.1")
      .port(port)
      .setting("dir " + dir.toAbsolutePath())
      .setting("save \"\"")
      .setting("appendonly no")
      .setting("maxmemory 256mb")
      .setting("maxmemory-policy allkeys-lru")
      .onShutdownForceStop(true)
      .build();
    server.start();
    LOG.info("embedded Redis on 127.0.0.1:{}", port);
    return new EmbeddedRedisServer(server, port);
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() throws IOException {
    server.stop();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
