package io.ganglion.retrieval.index;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reference count for a segment that searches read while a merge replaces it: the owner holds one reference, each
 * search {@link #acquire}s one, and the segment's resources are released by whoever drops the last.
 */
final class Refs {

  private final AtomicInteger count = new AtomicInteger(1);
  private final Runnable onLast;

  Refs(Runnable onLast) {
    this.onLast = onLast;
  }

  /** Takes a reference; false once the owner retired the segment and the last search left. */
  boolean acquire() {
    for (int c = count.get(); c > 0; c = count.get()) {
      if (count.compareAndSet(c, c + 1)) {
        return true;
      }
    }
    return false;
  }

  void release() {
    if (count.decrementAndGet() == 0) {
      onLast.run();
    }
  }
}
