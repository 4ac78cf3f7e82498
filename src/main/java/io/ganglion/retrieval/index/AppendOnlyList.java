package io.ganglion.retrieval.index;

import java.util.Arrays;

/**
 * A list one thread appends to while any number of threads read: fixed-size pages that never move, so a reader
 * never sees a half-copied array (an {@code ArrayList} may be mid-resize). Only indexes below a published
 * {@link #size()} are safe to read.
 * <p>
 * <b>NOTE</b>: {@link #add} must be serialised by the caller (the shard's write lock).
 */
final class AppendOnlyList<T> {

  private static final int PAGE_BITS = 10;
  private static final int PAGE_SIZE = 1 << PAGE_BITS;

  private volatile Object[][] pages = new Object[4][];
  private volatile int size;

  @SuppressWarnings("unchecked")
  T get(int index) {
    return (T) pages[index >>> PAGE_BITS][index & (PAGE_SIZE - 1)];
  }

  int size() {
    return size;
  }

  /** Appends and returns the new element's index. */
  int add(T value) {
    int index = size;
    int page = index >>> PAGE_BITS;
    Object[][] p = pages;
    if (page == p.length) {
      p = Arrays.copyOf(p, p.length * 2);
    }
    if (p[page] == null) {
      p[page] = new Object[PAGE_SIZE];
    }
    p[page][index & (PAGE_SIZE - 1)] = value;
    pages = p;
    size = index + 1; // volatile write publishes the element
    return index;
  }
}
