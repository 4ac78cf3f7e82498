package io.ganglion.app;

import io.ganglion.config.ConfigException;
import io.ganglion.config.ConfigLoader;
import io.ganglion.config.GanglionConfig;
import io.ganglion.http.auth.AdminKeyBootstrap;
import io.ganglion.store.StoreUnavailableException;

import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar ganglion.jar [--config FILE] [--key=value ...]}: loads and validates the configuration, starts the
 * server, prints where it listens, and shuts down gracefully on SIGTERM/SIGINT. Exit codes: 0 clean stop, 1 anything
 * else, 2 bad configuration ({@link #EXIT_CONFIG}), 3 a store could not be started or reached ({@link #EXIT_STORE}),
 * 4 the data directory is in use by another server ({@link #EXIT_DATA_DIR_IN_USE}).
 */
public final class Main {

  /** Exit code: invalid configuration; the message names the key. */
  public static final int EXIT_CONFIG = 2;
  /** Exit code: PostgreSQL or Redis could not be started or reached. */
  public static final int EXIT_STORE = 3;
  /** Exit code: another server holds the data directory's lock. */
  public static final int EXIT_DATA_DIR_IN_USE = 4;

  private Main() {
  }

  public static void main(String[] args) {
    List<String> arguments = Arrays.asList(args);
    if (arguments.contains("--help") || arguments.contains("-h")) {
      System.out.println(usage());
      return;
    }
    GanglionConfig config;
    try {
      config = Sections.validate(ConfigLoader.load(arguments, System.getenv()), System::getenv);
    } catch (ConfigException e) {
      System.err.println("ganglion: configuration error: " + e.getMessage());
      System.exit(EXIT_CONFIG);
      return;
    }
    long started = System.nanoTime();
    Ganglion ganglion;
    try {
      ganglion = Ganglion.start(config);
    } catch (ConfigException e) {
      System.err.println("ganglion: configuration error: " + e.getMessage());
      System.exit(EXIT_CONFIG);
      return;
    } catch (StoreUnavailableException e) {
      System.err.println("ganglion: cannot start: " + e.getMessage());
      System.exit(EXIT_STORE);
      return;
    } catch (DataDirectoryLock.DataDirectoryInUseException e) {
      System.err.println("ganglion: cannot start: " + e.getMessage());
      System.exit(EXIT_DATA_DIR_IN_USE);
      return;
    } catch (Throwable e) {
      System.err.println("ganglion: cannot start: " + e);
      e.printStackTrace(System.err);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(ganglion::close, "ganglion-shutdown"));
    ganglion.generatedAdminKey().ifPresent(key -> System.out.println(
      "Admin key (shown once; also saved to " + config.dataDir().resolve(AdminKeyBootstrap.FILE) + "): " + key));
    System.out.printf("Ganglion listening on http://%s:%d (started in %d ms, data in %s)%n",
      config.http().host(), ganglion.port(), (System.nanoTime() - started) / 1_000_000, config.dataDir());
  }

  private static String usage() {
    return """
      Usage: java -jar ganglion.jar [--config FILE] [--KEY=VALUE ...]

      Runs Ganglion. With no postgres.url / redis.url it starts embedded PostgreSQL and Redis under dataDir.
      Any configuration key can be set: --http.port=9090, or GANGLION_HTTP_PORT=9090 in the environment.
      Defaults and every key: conf/ganglion.yaml.""";
  }
}
