package io.ganglion.retrieval.index;

import java.io.Closeable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the vector indexes of one node share: their {@link VectorIndexConfig}, one merge thread (merges run one at a
 * time, so background work never takes more than {@code mergeThreads} cores from searches), and the pool of
 * {@code mergeThreads} workers graph builds and PQ training run on. JVector's defaults would use the common pool,
 * which has one worker on a two-core machine.
 * <p>
 * <b>NOTE</b>: threads are daemons; {@link #close()} stops them after the running merge.
 */
public final class IndexResources implements Closeable {

  private static volatile IndexResources shared;

  private final VectorIndexConfig config;
  private final ExecutorService merges;
  private final ForkJoinPool builds;

  private IndexResources(VectorIndexConfig config) {
    this.config = config;
    this.merges = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "ganglion-vector-merge");
      t.setDaemon(true);
      return t;
    });
    AtomicInteger n = new AtomicInteger();
    this.builds = new ForkJoinPool(config.mergeThreads(), pool -> {
      ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
      t.setName("ganglion-vector-build-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, null, false);
  }

  /** Resources for indexes configured by {@code config}; close them with the last index. */
  public static IndexResources create(VectorIndexConfig config) {
    return new IndexResources(config);
  }

  /** Resources with {@link VectorIndexConfig#DEFAULTS}, shared by the indexes created without their own. */
  static IndexResources defaults() {
    IndexResources r = shared;
    if (r == null) {
      synchronized (IndexResources.class) {
        if (shared == null) {
          shared = new IndexResources(VectorIndexConfig.DEFAULTS);
        }
        r = shared;
      }
    }
    return r;
  }

  public VectorIndexConfig config() {
    return config;
  }

  ExecutorService merges() {
    return merges;
  }

  ForkJoinPool builds() {
    return builds;
  }

  @Override
  public void close() {
    merges.shutdown();
    builds.shutdown();
    try {
      merges.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
