package io.ganglion.retrieval.impl;

/**
 * The expected wait in front of a pool of threads: a smoothed run time per task (the newest task weighs
 * {@link #SMOOTHING}), times the tasks queued ahead, over the threads. Thread-safe: pool threads record, the verticle
 * reads.
 */
final class QueueWait {

  /** Weight of the newest task in the smoothed run time. */
  static final double SMOOTHING = 0.2;

  private final int threads;
  private double nanosPerTask;

  QueueWait(int threads) {
    this.threads = Math.max(1, threads);
  }

  /** A task ran for {@code nanos}. */
  synchronized void ran(long nanos) {
    if (nanos <= 0) {
      return;
    }
    nanosPerTask = nanosPerTask == 0 ? nanos : nanosPerTask + SMOOTHING * (nanos - nanosPerTask);
  }

  /** The wait of a task submitted behind {@code queued} others (0 while no task has finished). */
  synchronized long expectedWaitMillis(int queued) {
    return (long) (Math.max(0, queued) * nanosPerTask / threads / 1_000_000);
  }
}
