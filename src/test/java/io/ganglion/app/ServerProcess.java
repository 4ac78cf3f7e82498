package io.ganglion.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code target/ganglion.jar} launched as a real process on a data directory, with a small HTTP client: what an
 * operator runs, so it can be killed with SIGKILL like a node losing power.
 */
final class ServerProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("Ganglion listening on http://[^:]+:(\\d+) ");

  final Process process;
  final Path dataDir;
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();

  private ServerProcess(Process process, Path dataDir) {
    this.process = process;
    this.dataDir = dataDir;
    Thread reader = new Thread(this::readStdout, "server-stdout-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /** Launches the jar on {@code dataDir}; stderr goes to {@code dataDir/../<name>.stderr} for post-mortems. */
  static ServerProcess launch(Path dataDir, String name, List<String> options, Map<String, String> env) throws IOException {
    Path jar = Path.of("target", "ganglion.jar");
    assertThat(jar).exists();
    List<String> command = new ArrayList<>(List.of(
      Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules", "jdk.incubator.vector",
      "-Xmx1g", "-jar", jar.toString(), "--dataDir=" + dataDir, "--http.port=0", "--http.instances=2"));
    command.addAll(options);
    ProcessBuilder builder = new ProcessBuilder(command)
      .redirectError(dataDir.resolveSibling(dataDir.getFileName() + "-" + name + ".stderr").toFile());
    builder.environment().put("GANGLION_LOG_LEVEL", "WARN");
    builder.environment().putAll(env);
    return new ServerProcess(builder.start(), dataDir);
  }

  /** The port once the server printed that it listens; fails if it exits first or takes longer than {@code timeout}. */
  int awaitListening(Duration timeout) throws Exception {
    return port.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  String adminKey() throws IOException {
    return Files.readString(dataDir.resolve("admin-key")).trim();
  }

  HttpResponse<String> send(String method, String path, String json) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.getNow(-1) + path))
      .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + adminKey());
    if (json != null) {
      request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed or stopped. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  /** SIGTERM, then the graceful stop. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private void readStdout() {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          port.complete(Integer.parseInt(m.group(1)));
        }
      }
    } catch (IOException e) {
      // the process went away
    }
    port.completeExceptionally(new IllegalStateException("server exited before listening (exit "
      + process.onExit().join().exitValue() + ")"));
  }
}
