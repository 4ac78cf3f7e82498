package io.ganglion.retrieval.index;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
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

  /** {@link #seal(Path, Map)} without checksums from an earlier snapshot. */
  static JsonObject seal(Path dir) throws IOException {
    return seal(dir, new HashMap<>());
  }

  /**
   * Forces every file under {@code dir} to disk and returns {@code {relative path: {size, crc32c}}}. {@code known}
   * carries checksums from one snapshot to the next, keyed by the file itself (file system key, size, modification
   * time): an on-disk vector segment is immutable and hard-linked into every snapshot, so its checksum is read once,
   * not at every snapshot (at a million 384-d vectors its graph file is about 1.7 GB). On return {@code known} holds
   * this snapshot's files only. A file system without file keys gets every file read each time.
   */
  static JsonObject seal(Path dir, Map<Object, Long> known) throws IOException {
    JsonObject files = new JsonObject();
    Map<Object, Long> sealed = new HashMap<>();
    for (Path file : regularFiles(dir)) {
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Object key = key(file);
      Long crc = key == null ? null : known.get(key);
      if (crc == null) {
        crc = crc(file);
      }
      if (key != null) {
        sealed.put(key, crc);
      }
      files.put(relative(dir, file), new JsonObject().put("size", Files.size(file)).put("crc32c", crc));
    }
    known.clear();
    known.putAll(sealed);
    return files;
  }

  /**
   * Checks that exactly the listed files are present with their sizes and checksums.
   *
   * @throws IOException naming the first file that is missing, unexpected, short or damaged
   */
  static void verify(Path dir, String manifestName, JsonObject listed) throws IOException {
    verify(dir, manifestName, listed, new HashMap<>());
  }

  /**
   * {@link #verify(Path, String, JsonObject)}, leaving the verified checksums in {@code known} for the next
   * {@link #seal}.
   */
  static void verify(Path dir, String manifestName, JsonObject listed, Map<Object, Long> known) throws IOException {
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
      long crc = crc(file);
      if (crc != expected.getLong("crc32c")) {
        throw new IOException("snapshot file " + file + " is damaged (checksum mismatch)");
      }
      Object key = key(file);
      if (key != null) {
        known.put(key, crc);
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

  /** The file itself, as far as its contents go: file system key (device, inode), size, modification time. */
  private static Object key(Path file) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
    return attributes.fileKey() == null ? null
      : List.of(attributes.fileKey(), attributes.size(), attributes.lastModifiedTime());
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
