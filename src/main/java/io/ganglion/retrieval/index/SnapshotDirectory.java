package io.ganglion.retrieval.index;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The one way a snapshot directory is written and read, for a whole knowledge-base index and for one shard copy alike,
 * so a crash, a full disk or a damaged file never gets a half-written snapshot served.
 * <p>
 * {@link #write}: the new copy is written next to the old ({@code <dir>.new-*}), every file forced to disk and listed
 * with its size and checksum in the manifest ({@link SnapshotFiles#seal}), the manifest written last and forced; then
 * the old copy is moved aside ({@code <dir>.old-*}), the new moved in and the old deleted. A write that fails removes
 * its partial copy and leaves the previous snapshot in place; copies a killed process left are removed by the next
 * write. {@link #read}: the manifest, after checking its format and every file against it. Both take the index's
 * {@link SnapshotChecksums}, so files linked unchanged from one snapshot into the next are not read again.
 * <p>
 * Blocking; call on a worker.
 */
public final class SnapshotDirectory {

  private static final String NEW = ".new-";
  private static final String OLD = ".old-";

  /** Writes a snapshot's files into the (new, empty) directory it is given. */
  @FunctionalInterface
  public interface Contents {
    void writeTo(Path fresh) throws IOException;
  }

  private SnapshotDirectory() {
  }

  /**
   * Writes {@code contents} and then {@code manifest} (with {@code "files"} added) as {@code manifestName} under
   * {@code dir}, replacing what was there only once the new copy is complete and on disk.
   */
  public static void write(Path dir, String manifestName, JsonObject manifest, Contents contents) throws IOException {
    write(dir, manifestName, manifest, contents, new SnapshotChecksums());
  }

  /**
   * {@link #write(Path, String, JsonObject, Contents)}, taking the checksums of files {@code checksums} knows (the
   * index's previous snapshot) instead of reading them, and leaving it knowing this snapshot's.
   */
  public static void write(Path dir, String manifestName, JsonObject manifest, Contents contents,
                           SnapshotChecksums checksums) throws IOException {
    Path parent = dir.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    removeLeftovers(dir);
    Path fresh = Files.createTempDirectory(parent, dir.getFileName() + NEW);
    try {
      contents.writeTo(fresh);
      JsonObject sealed = manifest.copy().put("files", checksums.seal(fresh));
      Path manifestFile = fresh.resolve(manifestName);
      Files.writeString(manifestFile, sealed.encodePrettily(), StandardCharsets.UTF_8);
      try (FileChannel channel = FileChannel.open(manifestFile, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      SnapshotFiles.forceDirectory(fresh);
    } catch (IOException | RuntimeException e) {
      deleteTree(fresh);
      throw e;
    }
    Path old = parent.resolve(dir.getFileName() + OLD + System.nanoTime());
    if (Files.exists(dir)) {
      Files.move(dir, old);
    }
    Files.move(fresh, dir);
    SnapshotFiles.forceDirectory(parent);
    deleteTree(old);
  }

  /**
   * The manifest {@code manifestName} of the snapshot in {@code dir}, once its format is {@code format} and every file
   * it lists is present, whole and intact (and no other is).
   *
   * @throws IOException when {@code dir} holds no complete, intact snapshot of that format (the cue to rebuild)
   */
  public static JsonObject read(Path dir, String manifestName, int format) throws IOException {
    return read(dir, manifestName, format, new SnapshotChecksums());
  }

  /** {@link #read(Path, String, int)}, adding the checksums it verified to {@code verified}. */
  public static JsonObject read(Path dir, String manifestName, int format, SnapshotChecksums verified)
    throws IOException {
    JsonObject manifest;
    try {
      manifest = new JsonObject(Files.readString(dir.resolve(manifestName), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new IOException("unreadable snapshot manifest in " + dir, e);
    }
    if (manifest.getInteger("format", -1) != format) {
      throw new IOException("unknown snapshot format in " + dir + ": " + manifest.getValue("format"));
    }
    verified.verify(dir, manifestName, manifest.getJsonObject("files"));
    return manifest;
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

  /** Removes partial copies ({@code <dir>.new-*}) and superseded ones ({@code <dir>.old-*}) a dead process left. */
  private static void removeLeftovers(Path dir) throws IOException {
    Path parent = dir.toAbsolutePath().getParent();
    String name = dir.getFileName().toString();
    try (Stream<Path> siblings = Files.list(parent)) {
      for (Path p : siblings.toList()) {
        String sibling = p.getFileName().toString();
        if (sibling.startsWith(name + NEW) || sibling.startsWith(name + OLD)) {
          deleteTree(p);
        }
      }
    }
  }
}
