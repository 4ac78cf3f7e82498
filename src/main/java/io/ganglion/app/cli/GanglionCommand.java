package io.ganglion.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code ganglion}: the server ({@code serve}, the default) and a client of it, in one jar. Subcommands are classes
 * (picocli's own layout); client commands share {@link Connection} ({@code --url}, {@code --key}, {@code --json}).
 */
@Command(name = "ganglion", mixinStandardHelpOptions = true, versionProvider = GanglionCommand.Version.class,
  description = "Ganglion: cited answers from your documents. With no command (or only --key=value options) it runs the server.",
  subcommands = {ServeCommand.class, KbCommand.class, IngestCommand.class, AskCommand.class, SearchCommand.class,
    KeysCommand.class, AgentCommand.class, ClusterCommand.class, WebhooksCommand.class, CommandLine.HelpCommand.class},
  exitCodeListHeading = "Exit codes of client commands:%n",
  exitCodeList = {"0:done", "1:the server failed (5xx) or another failure", "2:bad command line",
    "3:the server cannot be reached", "4:unauthorized (401) or forbidden (403)", "5:not found (404)",
    "6:rejected as invalid (other 4xx)", "7:ingest: some files failed",
    "8:agent run: the run ended without an answer"})
public final class GanglionCommand {

  private static final Set<String> TOP_LEVEL = Set.of("-h", "--help", "-V", "--version");

  private GanglionCommand() {
  }

  /** The command line with its subcommands; {@code serve} passes unknown options through as overrides. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new GanglionCommand());
    cli.getSubcommands().get("serve").setUnmatchedOptionsArePositionalParams(true);
    return cli;
  }

  /** {@code ganglion} alone, or with only options ({@code --http.port=0}), means {@code serve}. */
  public static String[] withDefaultCommand(String[] args) {
    if (args.length == 0 || args[0].startsWith("-") && !TOP_LEVEL.contains(args[0])) {
      List<String> serve = new ArrayList<>(List.of("serve"));
      serve.addAll(Arrays.asList(args));
      return serve.toArray(String[]::new);
    }
    return args;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = GanglionCommand.class.getPackage().getImplementationVersion();
      return new String[]{"ganglion " + (version == null ? "(development build)" : version)};
    }
  }
}
