package io.ganglion.retrieval.impl;

/**
 * The expected wait in front of a pool of {@code threads} (or permits): a smoothed run time per item (the newest
 * sample weighs {@link #SMOOTHING}), times the items queued ahead, over the threads. An item is a task of the
 * retrieval pool, or a text of an ingestion embedding request ({@link EmbedPermits}). Thread-safe: pool threads
 * record, the verticle and the metrics scrape read.
 */
final class QueueWait {

  /** Weight of the newest sample in the smoothed run time. */
  static final double SMOOTHING = 0.2;

  private final int threads;
  private double nanosPerItem;

  QueueWait(int threads) {
    this.threads = Math.max(1, threads);
  }

  /** A task ran for {@code nanos}. */
  void ran(long nanos) {
    ran(nanos, 1);
  }

  /** A unit of work of {@code items} items ran for {@code nanos}. */
  synchronized void ran(long nanos, int items) {
    if (nanos <= 0 || items <= 0) {
      return;
    }
    double sample = (double) nanos / items;
    nanosPerItem = nanosPerItem == 0 ? sample : nanosPerItem + SMOOTHING * (sample - nanosPerItem);
  }

  /** The wait of work submitted behind {@code queued} items (0 while nothing has finished). */
  synchronized long expectedWaitMillis(long queued) {
    return (long) (Math.max(0, queued) * nanosPerItem / threads / 1_000_000);
  }
}
