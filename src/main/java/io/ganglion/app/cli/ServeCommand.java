package io.ganglion.app.cli;

import io.ganglion.app.Server;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ganglion serve [--config FILE] [--KEY=VALUE ...]} (the default command): runs the server. Every
 * configuration override {@code java -jar ganglion.jar} accepted before the CLI existed is accepted unchanged:
 * picocli hands them over untouched (unmatched options are positional here) to the configuration loader.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
  description = {"Run the server (the default command).",
    "With no postgres.url / redis.url it starts embedded PostgreSQL and Redis under dataDir.",
    "Any configuration key can be set: --http.port=9090, or GANGLION_HTTP_PORT=9090 in the environment.",
    "Defaults and every key: conf/ganglion.yaml."},
  exitCodeListHeading = "Exit codes:%n",
  exitCodeList = {"0:clean stop", "1:other failure", "2:invalid configuration", "3:PostgreSQL or Redis unreachable at start",
    "4:the data directory is in use by another server"})
public final class ServeCommand implements Callable<Integer> {

  /** Returned when the server started: the JVM lives on in the server's threads, so the launcher must not exit. */
  public static final int SERVING = Integer.MIN_VALUE;

  @Parameters(paramLabel = "--KEY=VALUE", description = "configuration overrides, and --config FILE (YAML or JSON)")
  List<String> overrides = List.of();

  @Override
  public Integer call() {
    int code = Server.run(overrides);
    return code == Server.STARTED ? SERVING : code;
  }
}
