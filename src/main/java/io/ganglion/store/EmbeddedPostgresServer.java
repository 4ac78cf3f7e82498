package io.ganglion.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real PostgreSQL server (zonky's packaged binaries) with its cluster under {@code dataDir/postgres}, listening on a
 * free loopback port. Used when no {@code postgres.url} is configured; the data survives restarts.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts the server; blocks for the few seconds initdb and start-up take. */
  public static EmbeddedPostgresServer start(Path dataDir) throws IOException {
    long started = System.nanoTime();
    EmbeddedPostgres postgres = EmbeddedPostgres.builder()
      .setDataDirectory(dataDir.resolve("postgres"))
      .setCleanDataDirectory(false)
      .setOverrideWorkingDirectory(dataDir.resolve("runtime").resolve("postgres").toFile())
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
}
