package io.ganglion.store;

import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * A real Redis server (embedded-redis's packaged binary, written to {@code dataDir/runtime/redis}) on a free loopback
 * port, working in {@code dataDir/redis}. Used when no {@code redis.url} is configured. Redis only holds caches and
 * rate-limit buckets, so it runs without persistence.
 * <p>
 * <b>Crash recovery</b>: a Redis whose JVM was killed keeps running. It writes {@code dataDir/runtime/redis/redis.pid}
 * and we record its port beside it; at the next {@link #start}, a live process named there that runs our binary, on
 * that port, in that directory, is stopped (it holds nothing that must survive); a pid file of a dead or unrelated
 * process is cleared and that process left alone. The caller must hold the data directory's lock.
 */
public final class EmbeddedRedisServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedisServer.class);
  static final String PID_FILE = "redis.pid";
  static final String PORT_FILE = "redis.port";
  private static final long STOP_TIMEOUT_S = 10;

  private final RedisServer server;
  private final int port;
  private final Path runtime;

  private EmbeddedRedisServer(RedisServer server, int port, Path runtime) {
    this.server = server;
    this.port = port;
    this.runtime = runtime;
  }

  /** Recovers what a crashed run left, then starts Redis on a free loopback port. */
  public static EmbeddedRedisServer start(Path dataDir) throws IOException {
    Path dir = Files.createDirectories(dataDir.resolve("redis")).toAbsolutePath();
    Path runtime = Files.createDirectories(dataDir.resolve("runtime").resolve("redis")).toAbsolutePath();
    recover(runtime, dir);
    int port = freePort();
    RedisServer server = RedisServer.newRedisServer()
      .executableProvider(ExecutableProvider.newJarResourceProvider(runtime.toFile()))
      .bind("127.0.0.1")
      .port(port)
      .setting("dir " + dir)
      .setting("pidfile " + runtime.resolve(PID_FILE))
      .setting("save \"\"")
      .setting("appendonly no")
      .setting("maxmemory 256mb")
      .setting("maxmemory-policy allkeys-lru")
      .onShutdownForceStop(true)
      .build();
    Files.writeString(runtime.resolve(PORT_FILE), Integer.toString(port));
    server.start();
    LOG.info("embedded Redis on 127.0.0.1:{}", port);
    return new EmbeddedRedisServer(server, port, runtime);
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() throws IOException {
    server.stop();
    Files.deleteIfExists(runtime.resolve(PID_FILE));
  }

  /** Deals with the pid file an earlier run may have left; see the class comment. */
  static void recover(Path runtime, Path dir) throws IOException {
    Path pidFile = runtime.resolve(PID_FILE);
    int port = recordedPort(runtime);
    LeftoverProcess found = LeftoverProcess.inspect(pidFile, p -> isOurs(p, runtime, dir, port));
    switch (found.kind()) {
      case NONE -> { }
      case DEAD -> LOG.info("cleared the pid file of Redis pid {}, which is no longer running", found.pid());
      case UNRELATED -> LOG.warn("the Redis pid file in {} names a process that is not its Redis ({}); left that "
        + "process alone and cleared the stale pid file", runtime, found.describe());
      case OURS -> stopLeftover(found);
    }
    Files.deleteIfExists(pidFile);
  }

  /** Our binary under {@code runtime}, listening on the port we recorded, working in {@code dir}. */
  private static boolean isOurs(ProcessHandle process, Path runtime, Path dir, int port) {
    if (port <= 0 || !LeftoverProcess.executableUnder(process, runtime)) {
      return false;
    }
    // Redis rewrites its command line to its title, "redis-server 127.0.0.1:PORT"; embedded-redis passes --port PORT
    Pattern onPort = Pattern.compile("(:|--port\\s+)" + port + "\\b");
    boolean listens = LeftoverProcess.rawCommandLine(process).map(c -> onPort.matcher(c).find()).orElse(false);
    boolean inDir = LeftoverProcess.workingDirectory(process).map(cwd -> LeftoverProcess.sameDirectory(cwd, dir))
      .orElse(true);
    return listens && inDir;
  }

  private static void stopLeftover(LeftoverProcess found) throws IOException {
    ProcessHandle process = found.process().orElseThrow();
    LOG.warn("Redis of this data directory is still running from an earlier process ({}); stopping it", found.describe());
    try {
      process.destroy();
      try {
        process.onExit().get(STOP_TIMEOUT_S, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        // it holds only caches and buckets: nothing is lost by not letting it finish
        process.destroyForcibly();
        process.onExit().get(STOP_TIMEOUT_S, TimeUnit.SECONDS);
      }
    } catch (TimeoutException e) {
      throw new StoreUnavailableException("Redis left running (" + found.describe() + ") did not stop", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping a leftover Redis", e);
    } catch (ExecutionException e) {
      throw new IOException("waiting for a leftover Redis to stop failed", e);
    }
    LOG.info("stopped the leftover Redis (pid {})", found.pid());
  }

  private static int recordedPort(Path runtime) {
    try {
      return Integer.parseInt(Files.readString(runtime.resolve(PORT_FILE)).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
