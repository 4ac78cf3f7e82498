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
 * server, prints where it listens, and shuts down gracefully on SIGTERM/SIGINT. Exit codes: 0 clean stop, 2 bad
 * configuration, 3 a store could not be reached, 1 anything else.
 */
public final class Main {

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
      System.exit(2);
      return;
    }
    long started = System.nanoTime();
    Ganglion ganglion;
    try {
      ganglion = Ganglion.start(config);
    } catch (ConfigException e) {
      System.err.println("ganglion: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    } catch (StoreUnavailableException e) {
      System.err.println("ganglion: cannot start: " + e.getMessage());
      System.exit(3);
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
