package io.ganglion.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What a pid file left under the data directory by an earlier run names, once this process holds the data
 * directory's lock (so no live Ganglion owns that run any more): nothing, a dead process, a live process that is one of
 * our embedded servers on this data directory (an orphan of a crashed run: stop it), or an unrelated live process that
 * merely got the same pid (leave it alone, clear the stale file).
 *
 * @param kind what the pid file names
 * @param pid  the pid read from the file, or -1 without a readable one
 */
record LeftoverProcess(Kind kind, long pid, Optional<ProcessHandle> process) {

  enum Kind {
    /** No pid file, or one without a pid. */
    NONE,
    /** The pid names no running process. */
    DEAD,
    /** A live process, but not our server on this data directory (pid reuse after a reboot or a crash). */
    UNRELATED,
    /** Our embedded server on this data directory, left running by an earlier process. */
    OURS
  }

  /**
   * Reads the pid on the first line of {@code pidFile} and classifies the process it names with {@code ours}.
   */
  static LeftoverProcess inspect(Path pidFile, Predicate<ProcessHandle> ours) {
    long pid = readPid(pidFile);
    if (pid <= 0) {
      return new LeftoverProcess(Kind.NONE, -1, Optional.empty());
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (handle.isEmpty()) {
      return new LeftoverProcess(Kind.DEAD, pid, Optional.empty());
    }
    if (handle.get().pid() == ProcessHandle.current().pid() || !ours.test(handle.get())) {
      return new LeftoverProcess(Kind.UNRELATED, pid, handle);
    }
    return new LeftoverProcess(Kind.OURS, pid, handle);
  }

  /** A short description of the live process for log lines: its command line, or its pid when unreadable. */
  String describe() {
    return process.flatMap(LeftoverProcess::rawCommandLine).map(c -> "pid " + pid + ": " + c).orElse("pid " + pid);
  }

  /**
   * Whether {@code process}'s executable lies under {@code directory} (both resolved to real paths, so a symlinked
   * data directory still matches). False when the executable cannot be read (another user's process).
   */
  static boolean executableUnder(ProcessHandle process, Path directory) {
    Optional<String> command = process.info().command();
    if (command.isEmpty()) {
      return false;
    }
    try {
      // Linux shows a replaced or removed executable as "<path> (deleted)"
      Path executable = Path.of(command.get().replace(" (deleted)", ""));
      return executable.toAbsolutePath().normalize().startsWith(directory.toRealPath());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * The command line as the process shows it now: Linux's {@code /proc/<pid>/cmdline} (a process that rewrote its
   * title, as Redis does, shows the title there, which {@link ProcessHandle.Info} splits away), else the JDK's view.
   */
  static Optional<String> rawCommandLine(ProcessHandle process) {
    Path cmdline = Path.of("/proc", Long.toString(process.pid()), "cmdline");
    try {
      if (Files.isReadable(cmdline)) {
        return Optional.of(new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).replace('\0', ' ').trim());
      }
    } catch (IOException e) {
      // fall back to the JDK's view
    }
    return process.info().commandLine();
  }

  /** The process's working directory where the OS shows it (Linux {@code /proc}), else empty. */
  static Optional<Path> workingDirectory(ProcessHandle process) {
    Path link = Path.of("/proc", Long.toString(process.pid()), "cwd");
    try {
      return Optional.of(link.toRealPath());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code a} and {@code b} are the same directory (real paths; false if either does not exist). */
  static boolean sameDirectory(Path a, Path b) {
    try {
      return a.toRealPath().equals(b.toRealPath());
    } catch (IOException e) {
      return false;
    }
  }

  private static long readPid(Path pidFile) {
    try {
      if (!Files.isRegularFile(pidFile)) {
        return -1;
      }
      String first = Files.readString(pidFile, StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
      return first.isEmpty() ? -1 : Long.parseLong(first);
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }
}
