package io.ganglion.app;

import io.ganglion.app.cli.GanglionCommand;
import io.ganglion.app.cli.ServeCommand;

/**
 * {@code java -jar ganglion.jar [COMMAND] ...}: the picocli command line ({@link GanglionCommand}). With no command,
 * or only {@code --key=value} options, it runs the server ({@code serve}), as the jar always did.
 */
public final class Main {

  private Main() {
  }

  public static void main(String[] args) {
    int code = GanglionCommand.commandLine().execute(GanglionCommand.withDefaultCommand(args));
    if (code != ServeCommand.SERVING) {
      System.exit(code);
    }
  }
}
