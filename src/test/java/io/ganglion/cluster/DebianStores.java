package io.ganglion.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL and a real Redis from Debian's {@code postgresql} and {@code redis-server} packages (which
 * {@code .ci/run} installs), each on a free loopback port under one directory, shared by the nodes of a test
 * cluster. PostgreSQL refuses to run as root, so as root it runs as the {@code postgres} user.
 */
final class DebianStores implements AutoCloseable {

  private final Path dir;
  private final Path pgBin;
  private final int pgPort;
  private final int redisPort;
  private Process redis;
  private boolean pgStarted;

  private DebianStores(Path dir, Path pgBin, int pgPort, int redisPort) {
    this.dir = dir;
    this.pgBin = pgBin;
    this.pgPort = pgPort;
    this.redisPort = redisPort;
  }

  /** Starts both under {@code dir} (which must not exist yet). */
  static DebianStores start(Path dir) throws IOException, InterruptedException {
    DebianStores stores = new DebianStores(dir, postgresBinaries(), freePort(), freePort());
    try {
      stores.startPostgres();
      stores.startRedis();
    } catch (IOException | InterruptedException | RuntimeException e) {
      stores.close();
      throw e;
    }
    return stores;
  }

  String postgresUrl() {
    return "postgresql://ganglion@127.0.0.1:" + pgPort + "/ganglion";
  }

  String redisUrl() {
    return "redis://127.0.0.1:" + redisPort;
  }

  private void startPostgres() throws IOException, InterruptedException {
    Path data = dir.resolve("pg");
    Files.createDirectories(data);
    if (root()) {
      run(List.of("chown", "-R", "postgres", dir.toString()));
    }
    run(asPostgres(pgBin.resolve("initdb").toString(), "-D", data.toString(), "-U", "ganglion", "--auth=trust",
      "-E", "UTF8", "--no-sync"));
    pgStarted = true;
    run(asPostgres(pgBin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("pg.log").toString(),
      "-w", "-t", "60", "-o", "-p " + pgPort + " -k " + data + " -c listen_addresses=127.0.0.1 -c fsync=off"
        + " -c max_connections=200", "start"));
    run(asPostgres(pgBin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p", Integer.toString(pgPort), "-U",
      "ganglion", "ganglion"));
  }

  private void startRedis() throws IOException {
    redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
      "--save", "", "--appendonly", "no", "--dir", dir.toString())
      .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    Await.until(Duration.ofSeconds(30), "redis-server listening", () -> {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", redisPort)) {
        return true;
      } catch (IOException e) {
        if (!redis.isAlive()) {
          throw new IllegalStateException("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
        }
        return false;
      }
    });
  }

  @Override
  public void close() {
    if (redis != null) {
      redis.destroy();
      try {
        redis.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      redis.destroyForcibly();
    }
    if (pgStarted) {
      try {
        run(asPostgres(pgBin.resolve("pg_ctl").toString(), "-D", dir.resolve("pg").toString(), "-m", "immediate",
          "-w", "stop"));
      } catch (IOException | InterruptedException | RuntimeException e) {
        System.err.println("stopping PostgreSQL failed: " + e);
      }
    }
  }

  /** The newest Debian PostgreSQL's binaries: /usr/lib/postgresql/VERSION/bin. */
  private static Path postgresBinaries() throws IOException {
    Path base = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(base)) {
      throw new IllegalStateException("Debian's postgresql package is not installed (.ci/run installs it)");
    }
    try (Stream<Path> versions = Files.list(base)) {
      return versions.filter(p -> Files.isExecutable(p.resolve("bin/postgres")))
        .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().replaceAll("\\D", "0"))))
        .orElseThrow(() -> new IllegalStateException("no PostgreSQL under " + base)).resolve("bin");
    }
  }

  private static List<String> asPostgres(String... command) {
    List<String> out = new ArrayList<>();
    if (root()) {
      out.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    out.addAll(List.of(command));
    return out;
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
