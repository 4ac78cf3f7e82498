package io.ganglion.bench.ann;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * What an index holds in this JVM: heap in use after a full collection, and native memory committed outside the heap
 * as the JVM's native memory tracking reports it (run with {@code -XX:NativeMemoryTracking=summary}), both read
 * before and after opening so their difference is the index's. Memory-mapped files are not native allocations: the
 * resident part of the index's own mappings (page cache the index touches) is read from {@code /proc/self/smaps}
 * and reported apart.
 */
final class Memory {

  record Sample(long heapUsed, long nativeCommitted) { }

  private static final Pattern TOTAL = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");
  private static final Pattern HEAP = Pattern.compile("Java Heap \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");

  private Memory() {
  }

  static Sample sample() throws Exception {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    String nmt = nmt();
    long nativeCommitted = -1;
    Matcher total = TOTAL.matcher(nmt);
    Matcher javaHeap = HEAP.matcher(nmt);
    if (total.find() && javaHeap.find()) {
      nativeCommitted = (Long.parseLong(total.group(2)) - Long.parseLong(javaHeap.group(2))) * 1024;
    }
    return new Sample(heap, nativeCommitted);
  }

  static String nmt() {
    try {
      return (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
        new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
    } catch (Exception e) {
      return "";
    }
  }

  /** Resident bytes of this process's mappings of files under {@code dir}. */
  static long mappedResident(Path dir) throws IOException {
    String prefix = dir.toAbsolutePath().toString();
    long total = 0;
    boolean inside = false;
    List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
    for (String line : lines) {
      if (!line.isEmpty() && Character.isLetterOrDigit(line.charAt(0)) && line.contains("-") && !line.contains(":  ")
          && !line.startsWith("Rss") && line.split("\\s+").length >= 5 && line.split("\\s+")[0].contains("-")) {
        String[] f = line.trim().split("\\s+");
        inside = f.length >= 6 && f[5].startsWith(prefix);
      } else if (inside && line.startsWith("Rss:")) {
        total += Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
      }
    }
    return total;
  }

  /** Bytes of the regular files under {@code dir} (hard links counted once per name, as {@code du -b} does not). */
  static long directoryBytes(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
