package io.ganglion.app;

import io.ganglion.config.ConfigException;
import io.ganglion.config.ConfigLoader;
import io.ganglion.config.GanglionConfig;
import io.ganglion.http.auth.AdminKeyBootstrap;
import io.ganglion.store.StoreUnavailableException;

import java.util.List;

/**
 * {@code ganglion serve}: loads and validates the configuration, starts the server, prints where it listens, and
 * shuts down gracefully on SIGTERM/SIGINT. Exit codes: those of {@link Main}.
 */
public final class Server {

  /** {@link #run} started the server; it keeps running in its own threads. */
  public static final int STARTED = -1;

  private Server() {
  }

  /**
   * Starts the server with these configuration arguments ({@code --config FILE}, {@code --key=value}).
   *
   * @return {@link #STARTED}, or the exit code of a failed start
   */
  public static int run(List<String> arguments) {
    GanglionConfig config;
    try {
      config = Sections.validate(ConfigLoader.load(arguments, System.getenv()), System::getenv);
    } catch (ConfigException e) {
      System.err.println("ganglion: configuration error: " + e.getMessage());
      return Main.EXIT_CONFIG;
    }
    long started = System.nanoTime();
    Ganglion ganglion;
    try {
      ganglion = Ganglion.start(config);
    } catch (ConfigException e) {
      System.err.println("ganglion: configuration error: " + e.getMessage());
      return Main.EXIT_CONFIG;
    } catch (StoreUnavailableException e) {
      System.err.println("ganglion: cannot start: " + e.getMessage());
      return Main.EXIT_STORE;
    } catch (DataDirectoryLock.DataDirectoryInUseException e) {
      System.err.println("ganglion: cannot start: " + e.getMessage());
      return Main.EXIT_DATA_DIR_IN_USE;
    } catch (Throwable e) {
      System.err.println("ganglion: cannot start: " + e);
      e.printStackTrace(System.err);
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(ganglion::close, "ganglion-shutdown"));
    ganglion.generatedAdminKey().ifPresent(key -> System.out.println(
      "Admin key (shown once; also saved to " + config.dataDir().resolve(AdminKeyBootstrap.FILE) + "): " + key));
    System.out.printf("Ganglion listening on http://%s:%d (started in %d ms, data in %s)%n",
      config.http().host(), ganglion.port(), (System.nanoTime() - started) / 1_000_000, config.dataDir());
    System.out.println("Console: http://" + displayHost(config.http().host()) + ":" + ganglion.port() + "/console/");
    return STARTED;
  }

  private static String displayHost(String host) {
    return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
  }
}
