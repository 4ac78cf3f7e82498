package io.ganglion.retrieval.index;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Integrity of a snapshot directory ({@link SnapshotDirectory}): {@link #seal} forces every file to disk and lists each with its size and CRC32C;
 * the list goes into the manifest, which is written last, so a manifest exists only for a complete snapshot.
 * {@link #verify} checks the files against that list before anything is loaded: a snapshot cut short by a crash, a
 * full disk or a power loss (renamed but never flushed), or damaged since, is detected and rebuilt from PostgreSQL
 * instead of being served half-written. CRC32C runs at memory speed (hardware instruction), so verifying costs a
 * fraction of the load itself.
 */
final class SnapshotFiles {

  private SnapshotFiles() {
  }

  /** Forces every file under {@code dir} to disk and returns {@code {relative path: {size, crc32c}}}. */
  static JsonObject seal(Path dir) throws IOException {
    JsonObject files = new JsonObject();
    for (Path file : regularFiles(dir)) {
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      files.put(relative(dir, file), new JsonObject().put("size", Files.size(file)).put("crc32c", crc(file)));
    }
    return files;
  }

  /**
   * Checks that exactly the listed files are present with their sizes and checksums.
   *
   * @throws IOException naming the first file that is missing, unexpected, short or damaged
   */
  static void verify(Path dir, String manifestName, JsonObject listed) throws IOException {
    if (listed == null) {
      throw new IOException("snapshot in " + dir + " lists no files (written by an older version, or never completed)");
    }
    Map<String, Path> present = new TreeMap<>();
    for (Path file : regularFiles(dir)) {
      present.put(relative(dir, file), file);
    }
    present.remove(manifestName);
    for (Map.Entry<String, Object> entry : listed) {
      Path file = present.remove(entry.getKey());
      if (file == null) {
        throw new IOException("snapshot file missing: " + dir.resolve(entry.getKey()));
      }
      JsonObject expected = (JsonObject) entry.getValue();
      long size = Files.size(file);
      if (size != expected.getLong("size")) {
        throw new IOException("snapshot file " + file + " has " + size + " bytes, " + expected.getLong("size") + " written");
      }
      if (crc(file) != expected.getLong("crc32c")) {
        throw new IOException("snapshot file " + file + " is damaged (checksum mismatch)");
      }
    }
    if (!present.isEmpty()) {
      throw new IOException("snapshot in " + dir + " holds files it never listed: " + present.keySet());
    }
  }

  /** Forces a directory's entries (new names, renames) to disk where the OS allows opening a directory. */
  static void forceDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // not supported on every OS/file system; the manifest's checksums still catch what was lost
    }
  }

  private static List<Path> regularFiles(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths.filter(Files::isRegularFile).sorted().toList();
    }
  }

  private static String relative(Path dir, Path file) {
    return dir.relativize(file).toString().replace('\\', '/');
  }

  private static long crc(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        crc.update(buffer, 0, n);
      }
    }
    return crc.getValue();
  }
}
