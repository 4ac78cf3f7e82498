package io.ganglion.app.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * A command that talks to a running server: the shared {@link Connection} options, output on picocli's writers, and
 * failures printed as one line on stderr with the exit code of {@link ExitCodes}.
 */
abstract class ClientCommand implements Callable<Integer> {

  @Mixin
  Connection connection;

  @Spec
  CommandSpec spec;

  @Override
  public final Integer call() {
    try {
      return run(connection.client());
    } catch (ApiException e) {
      err().println("ganglion: " + e.getMessage());
      err().flush();
      return e.exitCode();
    }
  }

  /** Does the work; returns the exit code. */
  abstract int run(ApiClient client);

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  boolean json() {
    return connection.json;
  }

  /** Prints {@code body} as indented JSON (the {@code --json} output). */
  void printJson(JsonObject body) {
    out().println(body.encodePrettily());
    out().flush();
  }
}
