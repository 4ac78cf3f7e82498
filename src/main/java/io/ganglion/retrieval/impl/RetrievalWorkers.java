package io.ganglion.retrieval.impl;

import io.ganglion.bus.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
 * <p>
 * A task may carry its caller's deadline ({@link #run(Callable, long)}): if it passed while the task was queued, the
 * task is dropped when a thread takes it, without running, and fails with 5040; {@code
 * ganglion.retrieval.tasks.expired} counts them. Under overload a search that timed out upstream then costs no
 * thread time, so the searches behind it start sooner.
 */
public final class RetrievalWorkers implements AutoCloseable {

  private final ExecutorService executor;
  private final Context context;
  private final AtomicInteger queued = new AtomicInteger();
  private final QueueWait wait;
  private final Counter expired;

  public RetrievalWorkers(int threads, Context context, MeterRegistry meters) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "ganglion-retrieval-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.executor = Executors.newFixedThreadPool(threads, factory);
    this.wait = new QueueWait(threads);
    this.context = context;
    this.expired = Counter.builder("ganglion.retrieval.tasks.expired")
      .description("retrieval tasks dropped unrun because their caller's deadline passed while they were queued")
      .register(meters);
  }

  /** Runs {@code task} on the pool; the future completes on the verticle's context. */
  public <T> Future<T> run(Callable<T> task) {
    return run(task, Long.MAX_VALUE);
  }

  /**
   * Runs {@code task} on the pool unless {@code deadlineMillis} (epoch ms; {@code Long.MAX_VALUE}: none) has passed
   * when a thread takes it: then it fails with 5040 without running. The future completes on the verticle's context.
   */
  public <T> Future<T> run(Callable<T> task, long deadlineMillis) {
    CompletableFuture<T> cf = new CompletableFuture<>();
    queued.incrementAndGet();
    executor.execute(() -> {
      queued.decrementAndGet();
      if (System.currentTimeMillis() >= deadlineMillis) {
        expired.increment();
        cf.completeExceptionally(ErrorCode.TIMEOUT.exception(
          "the request's deadline passed while it waited for a retrieval worker"));
        return;
      }
      long started = System.nanoTime();
      try {
        cf.complete(task.call());
      } catch (Throwable t) {
        cf.completeExceptionally(t);
      } finally {
        wait.ran(System.nanoTime() - started);
      }
    });
    return Future.fromCompletionStage(cf, context);
  }

  /**
   * How long a task submitted now would wait before a thread takes it: the tasks queued ahead of it at the pool's
   * recent time per task, over its threads (0 before a task finished: nothing is refused on a guess).
   */
  public long expectedWaitMillis() {
    return wait.expectedWaitMillis(queued.get());
  }

  /** Tasks submitted and not yet taken by a thread. */
  int queued() {
    return queued.get();
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
