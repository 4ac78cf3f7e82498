package io.ganglion.retrieval.impl;

import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Retrieval's own pool of platform threads ({@code ganglion-retrieval-<n>}) for parsing, chunking and index work.
 * Fixed platform threads rather than Vert.x's worker pool or virtual threads: JVector keeps its graph-search scratch
 * per thread, and Lucene/JVector calls block. Results return to the verticle's context.
 */
public final class RetrievalWorkers implements AutoCloseable {

  private final ExecutorService executor;
  private final Context context;

  public RetrievalWorkers(int threads, Context context) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "ganglion-retrieval-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.executor = Executors.newFixedThreadPool(threads, factory);
    this.context = context;
  }

  /** Runs {@code task} on the pool; the future completes on the verticle's context. */
  public <T> Future<T> run(Callable<T> task) {
    CompletableFuture<T> cf = new CompletableFuture<>();
    executor.execute(() -> {
      try {
        cf.complete(task.call());
      } catch (Throwable t) {
        cf.completeExceptionally(t);
      }
    });
    return Future.fromCompletionStage(cf, context);
  }

  /** Turns a future completed on a pool thread into one completed on the verticle's context. */
  public <T> Future<T> onContext(CompletableFuture<T> cf) {
    return Future.fromCompletionStage(cf, context);
  }

  /** The pool as a plain executor (for index searches that fan out over shards). */
  public ExecutorService executor() {
    return executor;
  }

  @Override
  public void close() throws InterruptedException {
    executor.shutdown();
    executor.awaitTermination(10, TimeUnit.SECONDS);
  }
}
