package io.ganglion.app;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The packaged jar, launched as a process")
class LauncherIT {

  @Test
  @DisplayName("exits non-zero with a clear message when PostgreSQL cannot be reached")
  void postgresUnreachable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Process process = launch(List.of(), "GANGLION_POSTGRES_URL", "postgresql://postgres@127.0.0.1:" + closedPort + "/postgres");
    assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).isEqualTo(3);
    assertThat(stderr).contains("cannot reach PostgreSQL at 127.0.0.1:" + closedPort);
  }

  @Test
  @DisplayName("exits with code 2 naming the key when a configuration value is invalid")
  void badConfiguration() throws Exception {
    Process process = launch(List.of("--http.port=not-a-port"), "GANGLION_LOG_LEVEL", "WARN");
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(stderr).contains("http.port");
  }

  @Test
  @DisplayName("exits with code 2 naming the key when a verticle's key is invalid, before any store or model starts")
  void badVerticleKeyFailsFast() throws Exception {
    Path dataDir = Files.createTempDirectory(Path.of("target"), "launcher-");
    Process process = launch(dataDir, List.of("--reflex.injection.threshold=2"), "GANGLION_LOG_LEVEL", "WARN",
      ProcessBuilder.Redirect.DISCARD);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(stderr).contains("reflex.injection.threshold");
    assertThat(dataDir.resolve("postgres")).doesNotExist();
  }

  @Test
  @DisplayName("starts with embedded stores, prints where it listens, and stops cleanly on SIGTERM")
  void gracefulStop() throws Exception {
    Path dataDir = Files.createTempDirectory(Path.of("target"), "launcher-");
    Process process = launch(dataDir, List.of("--http.port=0"), "GANGLION_LOG_LEVEL", "WARN", ProcessBuilder.Redirect.PIPE);
    java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    String listening = null;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("Ganglion listening on")) {
        listening = line;
        break;
      }
    }
    assertThat(listening).isNotNull().matches("Ganglion listening on http://[0-9.]+:\\d+ .*");
    assertThat(dataDir.resolve("postgres/postmaster.pid")).exists();

    process.destroy(); // SIGTERM
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isIn(0, 143);
    assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();
  }

  private static Process launch(List<String> args, String envName, String envValue) throws IOException {
    return launch(Files.createTempDirectory(Path.of("target"), "launcher-"), args, envName, envValue,
      ProcessBuilder.Redirect.DISCARD);
  }

  private static Process launch(Path dataDir, List<String> args, String envName, String envValue,
                                ProcessBuilder.Redirect stdout) throws IOException {
    Path jar = Path.of("target", "ganglion.jar");
    assertThat(jar).exists();
    List<String> command = new java.util.ArrayList<>(List.of(
      Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(), "--dataDir=" + dataDir));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout);
    builder.environment().put(envName, envValue);
    return builder.start();
  }
}
