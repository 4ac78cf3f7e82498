package io.ganglion.store;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's PostgreSQL ({@code apt-get install postgresql}, which {@code .ci/run} does through
 * {@code .ci/debian-packages}) run as a throw-away cluster in a temporary directory on a free loopback port: an
 * "external" PostgreSQL, with the client tools ({@code pg_dump}, {@code pg_restore}, {@code psql}) of the same version.
 * As root, the server runs in a user namespace ({@code unshare -U}), as PostgreSQL refuses to run as root.
 * <p>
 * Without the package, tests using it are skipped, except when {@code GANGLION_TEST_REQUIRE_DEBIAN_POSTGRES} is set
 * (CI sets it), where its absence fails them.
 */
public final class DebianPostgres implements AutoCloseable {

  private final Path bin;
  private final Path cluster;
  private final int port;

  private DebianPostgres(Path bin, Path cluster, int port) {
    this.bin = bin;
    this.cluster = cluster;
    this.port = port;
  }

  /** The newest {@code /usr/lib/postgresql/<major>/bin}, if the package is installed. */
  public static Optional<Path> binaries() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> majors = Files.list(root)) {
      return majors.filter(p -> p.getFileName().toString().matches("\\d+") && Files.isExecutable(p.resolve("bin/pg_ctl")))
        .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString()))).map(p -> p.resolve("bin"));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Skips the calling test without the package (fails it when CI requires the package). */
  public static Path requireBinaries() {
    Optional<Path> bin = binaries();
    if (bin.isEmpty() && System.getenv("GANGLION_TEST_REQUIRE_DEBIAN_POSTGRES") != null) {
      throw new IllegalStateException("Debian's postgresql package is missing: run .ci/debian-packages postgresql");
    }
    Assumptions.assumeTrue(bin.isPresent(), "Debian's postgresql package is not installed (.ci/debian-packages postgresql)");
    return bin.get();
  }

  /** initdb (trust authentication, superuser {@code postgres}) and start, on a free loopback port. */
  public static DebianPostgres start(Path parent) throws IOException, InterruptedException {
    Path bin = requireBinaries();
    Path cluster = Files.createTempDirectory(parent, "debian-pg-");
    run(server(bin.resolve("initdb"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "-D", cluster.toString()));
    int port = freePort();
    DebianPostgres pg = new DebianPostgres(bin, cluster, port);
    pg.startServer();
    return pg;
  }

  public int port() {
    return port;
  }

  /** {@code postgresql://postgres@127.0.0.1:PORT/<database>}. */
  public String url(String database) {
    return "postgresql://postgres@127.0.0.1:" + port + "/" + database;
  }

  /** Runs a client tool of this installation ({@code pg_dump}, {@code pg_restore}, {@code psql}...) against it. */
  public String tool(String name, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(bin.resolve(name).toString(), "-h", "127.0.0.1", "-p",
      Integer.toString(port), "-U", "postgres"));
    command.addAll(List.of(args));
    return run(command);
  }

  /** Stops the server (fast shutdown); {@link #startServer} starts it again on the same port and data. */
  public void stopServer() throws IOException, InterruptedException {
    run(server(bin.resolve("pg_ctl"), "-D", cluster.toString(), "stop", "-m", "fast", "-w", "-t", "60"));
  }

  public void startServer() throws IOException, InterruptedException {
    run(server(bin.resolve("pg_ctl"), "-D", cluster.toString(), "-l", cluster.resolve("server.log").toString(),
      "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + cluster + " -c fsync=off",
      "-w", "-t", "60", "start"));
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (Files.exists(cluster.resolve("postmaster.pid"))) {
      stopServer();
    }
  }

  private static List<String> server(Path binary, String... args) {
    List<String> command = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      command.addAll(List.of("unshare", "-U")); // PostgreSQL's server tools refuse uid 0
    }
    command.add(binary.toString());
    command.addAll(List.of(args));
    return command;
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
    return output;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
