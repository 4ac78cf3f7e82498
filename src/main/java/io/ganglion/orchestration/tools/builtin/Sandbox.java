package io.ganglion.orchestration.tools.builtin;

import io.ganglion.orchestration.tools.ToolsConfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one program under bubblewrap, never through a shell: every namespace unshared (no network but a private
 * loopback, its own PID, IPC, UTS and user namespaces), {@code /usr} bound read-only (with the merged-usr links
 * {@code /bin}, {@code /lib}, {@code /lib64}, {@code /sbin}), no {@code /etc} and no home, a fresh tmpfs as
 * {@code /tmp} and working directory, an empty environment, uid/gid 65534, no capabilities, and rlimits from
 * {@code prlimit} (address space, CPU seconds, file size, open files, processes). The wall-clock limit kills it.
 * <p>
 * <b>NOTE</b>: {@link #run} blocks for the life of the process; call it on a worker thread.
 */
final class Sandbox {

  /** What a run produced. */
  record Outcome(int exitCode, String stdout, String stderr, boolean truncated, boolean timedOut) {
  }

  private final ToolsConfig.Exec config;

  Sandbox(ToolsConfig.Exec config) {
    this.config = config;
  }

  /** {@code null} when the sandbox works here (a trivial program ran isolated), else why not. */
  String probe() {
    if (!Files.isExecutable(Path.of(config.bwrap()))) {
      return config.bwrap() + " is not an executable (install bubblewrap)";
    }
    if (!Files.isExecutable(Path.of("/usr/bin/prlimit"))) {
      return "/usr/bin/prlimit is missing (util-linux)";
    }
    try {
      Outcome outcome = run("/usr/bin/true", List.of(), null);
      return outcome.exitCode() == 0 ? null : "bubblewrap could not start an isolated process: " + outcome.stderr().strip();
    } catch (IOException e) {
      return "bubblewrap could not be started: " + e.getMessage();
    }
  }

  Outcome run(String program, List<String> args, String stdin) throws IOException {
    Process process = new ProcessBuilder(command(program, args)).redirectErrorStream(false).start();
    // the server's environment never reaches the sandbox (bwrap --clearenv); the builder's copy is only for bwrap
    CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()),
      command -> Thread.ofVirtual().start(command));
    CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()),
      command -> Thread.ofVirtual().start(command));
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException closedEarly) {
      // the program did not read its input: that is its business
    }
    boolean finished;
    try {
      finished = process.waitFor(config.timeoutMs(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finished = false;
    }
    if (!finished) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    byte[] out = stdout.join();
    byte[] err = stderr.join();
    int code = finished ? process.exitValue() : -1;
    boolean truncated = out.length > config.maxOutputBytes() || err.length > config.maxOutputBytes();
    return new Outcome(code, text(out), text(err), truncated, !finished);
  }

  List<String> command(String program, List<String> args) {
    List<String> command = new ArrayList<>(List.of("/usr/bin/prlimit",
      "--as=" + (long) config.memoryMb() * 1024 * 1024,
      "--cpu=" + config.cpuSeconds(),
      "--fsize=" + 16L * 1024 * 1024,
      "--nofile=64",
      "--nproc=64",
      "--", config.bwrap(),
      "--unshare-all", "--die-with-parent", "--new-session", "--clearenv", "--cap-drop", "ALL",
      "--uid", "65534", "--gid", "65534",
      "--ro-bind", "/usr", "/usr"));
    for (String top : List.of("bin", "lib", "lib64", "sbin")) {
      Path path = Path.of("/" + top);
      if (Files.isSymbolicLink(path)) {
        try {
          command.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), "/" + top));
        } catch (IOException e) {
          throw new IllegalStateException("cannot read the link /" + top, e);
        }
      } else if (Files.isDirectory(path)) {
        command.addAll(List.of("--ro-bind", "/" + top, "/" + top));
      }
    }
    if (!program.startsWith("/usr/")) {
      command.addAll(List.of("--ro-bind", program, program));
    }
    // bwrap sets PWD after --clearenv; env -i (exec, not a shell) hands the program a truly empty environment
    command.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--chdir", "/tmp", "--",
      "/usr/bin/env", "-i", program));
    command.addAll(args);
    return command;
  }

  /** Reads everything (so the program never blocks on a full pipe), keeping one byte past the limit. */
  private byte[] drain(InputStream stream) {
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try (stream) {
      int n;
      while ((n = stream.read(buffer)) > 0) {
        int room = config.maxOutputBytes() + 1 - kept.size();
        if (room > 0) {
          kept.write(buffer, 0, Math.min(room, n));
        }
      }
    } catch (IOException closed) {
      // the process was killed: keep what arrived
    }
    return kept.toByteArray();
  }

  private String text(byte[] bytes) {
    int length = Math.min(bytes.length, config.maxOutputBytes());
    return new String(bytes, 0, length, StandardCharsets.UTF_8);
  }
}
