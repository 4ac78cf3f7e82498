package io.ganglion.app;

import io.ganglion.app.cli.GanglionCommand;
import io.ganglion.app.cli.ServeCommand;

/**
 * {@code java -jar ganglion.jar [COMMAND] ...}: the picocli command line ({@link GanglionCommand}). With no command,
 * or only {@code --key=value} options, it runs the server ({@code serve}), as the jar always did. The server's exit
 * codes: 0 clean stop, 1 anything else, 2 bad configuration ({@link #EXIT_CONFIG}), 3 a store could not be started or
 * reached ({@link #EXIT_STORE}), 4 the data directory is in use by another server ({@link #EXIT_DATA_DIR_IN_USE}).
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
    int code = GanglionCommand.commandLine().execute(GanglionCommand.withDefaultCommand(args));
    if (code != ServeCommand.SERVING) {
      System.exit(code);
    }
  }
}
