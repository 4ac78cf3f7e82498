package io.ganglion.retrieval.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * How a snapshot directory is replaced so a crash never leaves half of one: the new copy is written next to the old
 * ({@link #fresh}), then the old is moved aside, the new moved in and the old deleted ({@link #replace}). At most one
 * stale {@code .new-}/{@code .old-} sibling can remain, and it is never read. Blocking; call on a worker.
 */
public final class SnapshotDirectory {

  private SnapshotDirectory() {
  }

  /** A new empty directory beside {@code dir} (its parent created if needed), to write the next snapshot into. */
  public static Path fresh(Path dir) throws IOException {
    Path parent = dir.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    return Files.createTempDirectory(parent, dir.getFileName() + ".new-");
  }

  /** Moves the completed {@code fresh} copy to {@code dir}, replacing what was there. */
  public static void replace(Path fresh, Path dir) throws IOException {
    Path old = dir.toAbsolutePath().getParent().resolve(dir.getFileName() + ".old-" + System.nanoTime());
    if (Files.exists(dir)) {
      Files.move(dir, old);
    }
    Files.move(fresh, dir);
    deleteTree(old);
  }

  /** Deletes {@code root} and everything under it, if it exists. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
