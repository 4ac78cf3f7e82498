package io.ganglion.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL server (zonky's packaged binaries, unpacked under {@code dataDir/runtime/postgres}) with its
 * cluster under {@code dataDir/postgres}, listening on a free loopback port. Used when no {@code postgres.url} is
 * configured; the data survives restarts.
 * <p>
 * <b>Crash recovery</b>: {@code pg_ctl} daemonises PostgreSQL, so a server whose JVM was killed keeps running and keeps
 * the cluster locked. {@link #start} therefore first looks at {@code postmaster.pid}: a PostgreSQL of this data
 * directory started from our binaries is stopped cleanly (fast shutdown: its transactions were acknowledged or not,
 * never half) and the server started again; a pid file of a dead process, or of an unrelated live process that got the
 * same pid, is cleared and that process left alone; a PostgreSQL from other binaries running on this directory stops
 * the start with a message. The caller must hold the data directory's lock, so no live Ganglion owns what is found.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
  private static final long STOP_TIMEOUT_S = 30;

  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Recovers what a crashed run left, then starts the server; blocks for the few seconds initdb and start-up take. */
  public static EmbeddedPostgresServer start(Path dataDir) throws IOException {
    long started = System.nanoTime();
    Path cluster = dataDir.resolve("postgres").toAbsolutePath();
    Path runtime = dataDir.resolve("runtime").resolve("postgres").toAbsolutePath();
    recover(cluster, runtime);
    EmbeddedPostgres postgres = EmbeddedPostgres.builder()
      .setDataDirectory(cluster)
      .setCleanDataDirectory(false)
      .setOverrideWorkingDirectory(runtime.toFile())
      .setServerConfig("listen_addresses", "127.0.0.1")
      .setServerConfig("max_connections", "200")
      .setPGStartupWait(Duration.ofSeconds(60))
      .setRegisterShutdownHook(false)
      .start();
    LOG.info("embedded PostgreSQL on 127.0.0.1:{} ({} ms)", postgres.getPort(), (System.nanoTime() - started) / 1_000_000);
    return new EmbeddedPostgresServer(postgres);
  }

  /** {@code postgresql://postgres@127.0.0.1:PORT/postgres}. */
  public String url() {
    return "postgresql://postgres@127.0.0.1:" + postgres.getPort() + "/postgres";
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }

  /** Deals with the {@code postmaster.pid} an earlier run may have left; see the class comment. */
  static void recover(Path cluster, Path runtime) throws IOException {
    Path pidFile = cluster.resolve("postmaster.pid");
    LeftoverProcess found = LeftoverProcess.inspect(pidFile, p -> isOurs(p, cluster, runtime));
    switch (found.kind()) {
      case NONE -> { }
      case DEAD -> {
        Files.deleteIfExists(pidFile);
        LOG.info("cleared the pid file of PostgreSQL pid {}, which is no longer running", found.pid());
      }
      case UNRELATED -> {
        ProcessHandle process = found.process().orElseThrow();
        if (servesCluster(process, cluster)) {
          throw new StoreUnavailableException("a PostgreSQL not started by Ganglion runs on " + cluster + " ("
            + found.describe() + "); stop it, or point postgres.url at it instead of the embedded server");
        }
        Files.deleteIfExists(pidFile);
        LOG.warn("the pid file in {} names a process that is not its PostgreSQL ({}); left that process alone and "
          + "cleared the stale pid file", cluster, found.describe());
      }
      case OURS -> stopLeftover(found, cluster);
    }
  }

  /** Our binary under {@code runtime}, serving {@code -D cluster}. */
  private static boolean isOurs(ProcessHandle process, Path cluster, Path runtime) {
    return Files.isDirectory(runtime) && LeftoverProcess.executableUnder(process, runtime) && servesCluster(process, cluster);
  }

  private static boolean servesCluster(ProcessHandle process, Path cluster) {
    List<String> args = Arrays.asList(process.info().arguments().orElse(new String[0]));
    int d = args.indexOf("-D");
    return d >= 0 && d + 1 < args.size() && LeftoverProcess.sameDirectory(Path.of(args.get(d + 1)), cluster);
  }

  /**
   * Stops a PostgreSQL left running by a killed run: {@code pg_ctl stop -m fast} with its own binaries (the way it was
   * started, in a user namespace when running as root), then, if it is still up, a plain SIGTERM (smart shutdown: its
   * clients died with their JVM).
   */
  private static void stopLeftover(LeftoverProcess found, Path cluster) throws IOException {
    ProcessHandle process = found.process().orElseThrow();
    LOG.warn("PostgreSQL of this data directory is still running from an earlier process ({}); stopping it",
      found.describe());
    Path pgCtl = Path.of(process.info().command().orElseThrow().replace(" (deleted)", "")).resolveSibling("pg_ctl");
    List<String> command = new ArrayList<>();
    if (LinuxUtils.isUnshareAvailable()) {
      command.addAll(List.of("unshare", "-U"));
    }
    command.addAll(List.of(pgCtl.toString(), "-D", cluster.toString(), "stop", "-m", "fast", "-w",
      "-t", Long.toString(STOP_TIMEOUT_S)));
    try {
      Process pgCtlRun = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(pgCtlRun.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!pgCtlRun.waitFor(STOP_TIMEOUT_S + 10, TimeUnit.SECONDS) || pgCtlRun.exitValue() != 0) {
        LOG.warn("pg_ctl stop did not succeed ({}); sending SIGTERM", output);
        process.destroy();
      }
      process.onExit().get(STOP_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new StoreUnavailableException("PostgreSQL left running on " + cluster + " (" + found.describe()
        + ") did not stop within " + STOP_TIMEOUT_S + " s; stop it by hand", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping a leftover PostgreSQL", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException("waiting for a leftover PostgreSQL to stop failed", e);
    }
    LOG.info("stopped the leftover PostgreSQL (pid {}); starting it again", found.pid());
  }
}
