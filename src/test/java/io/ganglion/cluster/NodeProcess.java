package io.ganglion.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Ganglion node as a real process, launched from {@code target/ganglion.jar} with its own data directory, HTTP,
 * Hazelcast and event-bus ports. It can be killed ({@code SIGKILL}), stopped cleanly ({@code SIGTERM}) and started
 * again with the same identity, ports and data directory.
 */
final class NodeProcess {

  final String nodeId;
  final int httpPort;
  final int hazelcastPort;
  final int busPort;
  final Path dataDir;
  private final Path log;
  private List<String> options = List.of();
  private Process process;
  private int starts;

  NodeProcess(String nodeId, Path dir) throws IOException {
    this.nodeId = nodeId;
    this.httpPort = DebianStores.freePort();
    this.hazelcastPort = DebianStores.freePort();
    this.busPort = DebianStores.freePort();
    this.dataDir = dir.resolve(nodeId);
    this.log = dir.resolve(nodeId + ".log");
  }

  /** Launches the process with {@code --key=value} options (the node's own ports and id come first). */
  void launch(List<String> clusterOptions) throws IOException {
    Path jar = Path.of("target", "ganglion.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException("target/ganglion.jar is missing: the cluster tests run after `package`");
    }
    List<String> command = new ArrayList<>(List.of(
      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx768m", "-XX:+UseSerialGC",
      "-Xshare:auto", "-jar", jar.toString(),
      "--dataDir=" + dataDir, "--http.port=" + httpPort, "--http.host=127.0.0.1",
      "--cluster.nodeId=" + nodeId, "--cluster.port=" + hazelcastPort, "--cluster.eventBusPort=" + busPort));
    command.addAll(clusterOptions);
    options = List.copyOf(clusterOptions);
    starts++;
    Files.writeString(log, "=== start " + starts + ": " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
      java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = builder.environment();
    env.put("GANGLION_LOG_LEVEL", "INFO");
    process = builder.start();
  }

  /** Starts the process again with the options it had, the same ports and data directory. */
  void relaunch() throws IOException {
    launch(options);
  }

  /** Waits until this start printed that it listens; fails with the log's tail if the process died. */
  void awaitListening(Duration atMost) {
    int start = starts;
    Await.until(atMost, nodeId + " listening", () -> {
      String text = log();
      int from = text.lastIndexOf("=== start " + start + ":");
      if (from >= 0 && text.indexOf("Ganglion listening on", from) > 0) {
        return true;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(nodeId + " exited with " + process.exitValue() + ":\n" + tail(60));
      }
      return false;
    });
  }

  /** {@code kill -9}: no shutdown hook runs, nothing is handed over. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, and waits for the exit code. */
  int stop(Duration atMost) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      throw new IllegalStateException(nodeId + " did not stop within " + atMost + ":\n" + tail(40));
    }
    return process.exitValue();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  String tail(int lines) {
    try {
      List<String> all = log().lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  String base() {
    return "http://127.0.0.1:" + httpPort;
  }

  void forceStop() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
