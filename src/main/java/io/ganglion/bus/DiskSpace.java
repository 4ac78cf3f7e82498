package io.ganglion.bus;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The file systems the server writes to under its data directory: the directory itself and those of its
 * subdirectories ({@link #WRITTEN}: the embedded stores, uploads, index snapshots and index work) that an operator
 * mounted on a volume of their own. Looked up once ({@link #of}); each {@link #tightest} is one {@code statvfs} per file
 * system. Feeds the free-space gauges ({@code ganglion_disk_free_bytes{path}}) and ingestion's capacity check.
 * <p>
 * <b>NOTE</b>: thread-safe (immutable); a volume mounted under the data directory after start is not seen.
 */
public final class DiskSpace {

  /** The data directory's subdirectories the server writes. */
  public static final List<String> WRITTEN = List.of("postgres", "redis", "uploads", "indexes", "index-work");

  /** The usable bytes of the file system holding {@code path}. */
  public record Free(Path path, long bytes) {
  }

  private final Map<Path, FileStore> stores;

  private DiskSpace(Map<Path, FileStore> stores) {
    this.stores = stores;
  }

  /**
   * The data directory's file system and each other one among its existing {@link #WRITTEN} subdirectories, the data
   * directory first.
   */
  public static DiskSpace of(Path dataDir) {
    Map<Path, FileStore> stores = new LinkedHashMap<>();
    List<Path> candidates = new ArrayList<>();
    candidates.add(dataDir.toAbsolutePath());
    WRITTEN.forEach(sub -> candidates.add(dataDir.toAbsolutePath().resolve(sub)));
    for (Path dir : candidates) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try {
        FileStore store = Files.getFileStore(dir);
        if (!stores.containsValue(store)) {
          stores.put(dir, store);
        }
      } catch (IOException e) {
        stores.putIfAbsent(dir, null); // unreadable: reported as 0 bytes free
      }
    }
    return new DiskSpace(stores);
  }

  /** The directories standing for the distinct file systems, the data directory first. */
  public List<Path> paths() {
    return List.copyOf(stores.keySet());
  }

  /** The usable bytes of the file system holding {@code path} (one of {@link #paths}); 0 when it cannot be read. */
  public long usable(Path path) {
    FileStore store = stores.get(path);
    try {
      return store == null ? 0 : store.getUsableSpace();
    } catch (IOException e) {
      return 0;
    }
  }

  /** The file system with the least usable space now. */
  public Free tightest() {
    Free least = null;
    for (Path path : stores.keySet()) {
      long bytes = usable(path);
      if (least == null || bytes < least.bytes()) {
        least = new Free(path, bytes);
      }
    }
    return least == null ? new Free(Path.of("."), 0) : least;
  }
}
