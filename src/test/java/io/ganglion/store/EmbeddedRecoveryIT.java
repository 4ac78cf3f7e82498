package io.ganglion.store;

import io.zonky.test.db.postgres.util.LinuxUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DisplayName("Embedded PostgreSQL and Redis after a crash")
class EmbeddedRecoveryIT {

  private static Path dataDir;
  private final List<Process> spawned = new ArrayList<>();

  @BeforeAll
  static void initialise() throws Exception {
    // one clean start and stop: initdb has run and the binaries are unpacked under runtime/
    dataDir = Files.createTempDirectory(Path.of("target"), "recovery-");
    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dataDir)) {
      // zonky unpacks its binaries once per JVM: when another server of this JVM did it, they live under that server's
      // runtime/, so a copy goes under ours, as a server alone in its JVM (the launcher) has them
      Path runtime = dataDir.resolve("runtime/postgres");
      if (!Files.isDirectory(runtime) || isEmpty(runtime)) {
        Path exe = Path.of(ProcessHandle.of(postmasterPid()).orElseThrow().info().command().orElseThrow());
        Path unpacked = exe.getParent().getParent();
        copyTree(unpacked, runtime.resolve(unpacked.getFileName().toString()));
      }
    }
    EmbeddedRedisServer.start(dataDir).close();
  }

  @AfterEach
  void killSpawned() {
    for (Process p : spawned) {
      p.destroyForcibly();
    }
  }

  @Test
  @DisplayName("a pid file naming an unrelated live process leaves that process alone, is cleared, and the servers start")
  void unrelatedLiveProcess() throws Exception {
    Process unrelated = spawn("sleep", "300");
    Files.writeString(dataDir.resolve("postgres/postmaster.pid"), unrelated.pid() + "\n" + dataDir.resolve("postgres") + "\n");
    Files.writeString(dataDir.resolve("runtime/redis").resolve(EmbeddedRedisServer.PID_FILE), unrelated.pid() + "\n");

    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dataDir);
         EmbeddedRedisServer redis = EmbeddedRedisServer.start(dataDir)) {
      assertThat(select1(postgres.url())).isEqualTo(1);
      assertThat(ping(redis.url())).isEqualTo("+PONG");
      assertThat(postmasterPid()).isNotEqualTo(unrelated.pid());
    }
    assertThat(unrelated.isAlive()).isTrue();
  }

  @Test
  @DisplayName("a pid file of a process that is no longer running is cleared and the servers start")
  void deadProcess() throws Exception {
    Process gone = spawn("true");
    assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
    Files.writeString(dataDir.resolve("postgres/postmaster.pid"), gone.pid() + "\n");
    Files.writeString(dataDir.resolve("runtime/redis").resolve(EmbeddedRedisServer.PID_FILE), gone.pid() + "\n");

    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dataDir);
         EmbeddedRedisServer redis = EmbeddedRedisServer.start(dataDir)) {
      assertThat(select1(postgres.url())).isEqualTo(1);
      assertThat(ping(redis.url())).isEqualTo("+PONG");
    }
  }

  @Test
  @DisplayName("a PostgreSQL and a Redis of this data directory left running from our binaries are stopped and started again")
  void orphansOfThisDataDirectory() throws Exception {
    // what a SIGKILLed JVM leaves: a daemonised postmaster on the cluster, and a Redis on the recorded port
    Path cluster = dataDir.resolve("postgres").toAbsolutePath();
    Path pgCtl = binary(dataDir.resolve("runtime/postgres"), "pg_ctl");
    int pgPort = freePort();
    List<String> start = new ArrayList<>();
    if (LinuxUtils.isUnshareAvailable()) {
      start.addAll(List.of("unshare", "-U"));
    }
    start.addAll(List.of(pgCtl.toString(), "-D", cluster.toString(), "-o",
      "-p " + pgPort + " -F -c listen_addresses=127.0.0.1", "-w", "start"));
    Process pgCtlStart = new ProcessBuilder(start).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(pgCtlStart.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(pgCtlStart.exitValue()).isZero();
    long orphanPostgres = postmasterPid();
    assertThat(ProcessHandle.of(orphanPostgres).map(ProcessHandle::isAlive)).contains(true);

    Path redisRuntime = dataDir.resolve("runtime/redis").toAbsolutePath();
    int redisPort = freePort();
    Files.writeString(redisRuntime.resolve(EmbeddedRedisServer.PORT_FILE), Integer.toString(redisPort));
    Process orphanRedis = spawn(binary(redisRuntime, "redis-server").toString(), "--port", Integer.toString(redisPort),
      "--bind", "127.0.0.1", "--dir", dataDir.resolve("redis").toAbsolutePath().toString(),
      "--pidfile", redisRuntime.resolve(EmbeddedRedisServer.PID_FILE).toString(), "--save", "");
    awaitPidFile(redisRuntime.resolve(EmbeddedRedisServer.PID_FILE));

    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dataDir);
         EmbeddedRedisServer redis = EmbeddedRedisServer.start(dataDir)) {
      assertThat(ProcessHandle.of(orphanPostgres).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(orphanRedis.isAlive()).isFalse();
      assertThat(postmasterPid()).isNotEqualTo(orphanPostgres);
      assertThat(select1(postgres.url())).isEqualTo(1);
      assertThat(ping(redis.url())).isEqualTo("+PONG");
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isSymbolicLink(p)) {
          Files.createSymbolicLink(target, Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private Process spawn(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    spawned.add(p);
    return p;
  }

  private static long postmasterPid() throws IOException {
    return Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).getFirst().trim());
  }

  private static Path binary(Path runtime, String prefix) throws IOException {
    try (Stream<Path> files = Files.walk(runtime)) {
      return files.filter(p -> p.getFileName().toString().startsWith(prefix) && Files.isExecutable(p)
        && Files.isRegularFile(p)).findFirst().orElseThrow();
    }
  }

  private static void awaitPidFile(Path file) {
    await().atMost(java.time.Duration.ofSeconds(20)).until(() -> Files.exists(file));
  }

  private static int select1(String url) throws Exception {
    String jdbc = "jdbc:" + url.replace("postgresql://postgres@", "postgresql://") + "?user=postgres";
    try (Connection c = DriverManager.getConnection(jdbc); ResultSet rs = c.createStatement().executeQuery("select 1")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static String ping(String url) throws IOException {
    int port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write("PING\r\n".getBytes());
      byte[] reply = new byte[7];
      int n = socket.getInputStream().read(reply);
      return new String(reply, 0, n).trim();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
