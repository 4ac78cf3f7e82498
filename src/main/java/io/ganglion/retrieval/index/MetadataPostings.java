package io.ganglion.retrieval.index;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ordinals of an in-heap segment by metadata pair, appended as vectors arrive, so a filtered search knows at once
 * how many vectors can match (and which) instead of testing every entry.
 * <p>
 * <b>NOTE</b>: {@link #add} must be serialised by the caller (the shard's write lock); {@link #matching} may run
 * concurrently from any thread and sees every ordinal added before it started.
 */
final class MetadataPostings {

  private final Map<String, Map<String, IntList>> lists = new ConcurrentHashMap<>();

  void add(int ordinal, Map<String, String> metadata) {
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      lists.computeIfAbsent(e.getKey(), k -> new ConcurrentHashMap<>())
        .computeIfAbsent(e.getValue(), v -> new IntList())
        .add(ordinal);
    }
  }

  /** The ordinals carrying every pair of {@code filters}, ascending (deleted ones included). */
  int[] matching(Map<String, String> filters) {
    int[] out = null;
    for (Map.Entry<String, String> f : filters.entrySet()) {
      IntList list = lists.getOrDefault(f.getKey(), Map.of()).get(f.getValue());
      if (list == null) {
        return new int[0];
      }
      int[] ordinals = list.toArray();
      out = out == null ? ordinals : intersect(out, ordinals);
    }
    return out == null ? new int[0] : out;
  }

  long ramBytes() {
    long bytes = 0;
    for (Map<String, IntList> values : lists.values()) {
      for (Map.Entry<String, IntList> e : values.entrySet()) {
        bytes += 96 + e.getKey().length() + 4L * e.getValue().capacity();
      }
    }
    return bytes;
  }

  /** The values in both ascending arrays, ascending. */
  static int[] intersect(int[] a, int[] b) {
    int[] out = new int[Math.min(a.length, b.length)];
    int n = 0;
    for (int i = 0, j = 0; i < a.length && j < b.length; ) {
      if (a[i] == b[j]) {
        out[n++] = a[i];
        i++;
        j++;
      } else if (a[i] < b[j]) {
        i++;
      } else {
        j++;
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** One writer appends, readers copy what was published: the array is replaced before the size grows past it. */
  private static final class IntList {
    private volatile int[] data = new int[4];
    private volatile int size;

    void add(int value) {
      int n = size;
      int[] d = data;
      if (n == d.length) {
        d = Arrays.copyOf(d, n * 2);
        data = d;
      }
      d[n] = value;
      size = n + 1;
    }

    int[] toArray() {
      int n = size; // read the size first: the array read after it holds at least n published values
      return Arrays.copyOf(data, n);
    }

    int capacity() {
      return data.length;
    }
  }
}
