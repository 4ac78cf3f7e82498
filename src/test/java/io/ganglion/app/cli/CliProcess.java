package io.ganglion.app.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the packaged jar's CLI as a process, as a user would, for the CLI tests of any package. */
public final class CliProcess {

  private CliProcess() {
  }

  /** What a command printed and how it exited. */
  public record Run(int code, String out, String err) {
  }

  /** {@code java -jar target/ganglion.jar ARGS...} with {@code env} added (and {@code GANGLION_CLI_KEY} unset). */
  public static Run run(List<String> args, Map<String, String> env) throws IOException, InterruptedException {
    Path jar = Path.of("target", "ganglion.jar");
    assertThat(jar).exists();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar.toString()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove(Connection.KEY_ENV);
    builder.environment().putAll(env);
    Path out = Files.createTempFile(Path.of("target"), "cli-out", ".txt");
    Path err = Files.createTempFile(Path.of("target"), "cli-err", ".txt");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(process.waitFor(180, TimeUnit.SECONDS)).isTrue();
    Run run = new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    Files.delete(out);
    Files.delete(err);
    return run;
  }

}
