package io.ganglion.retrieval.impl;

import io.ganglion.bus.ErrorCode;
import io.ganglion.inference.Lane;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Retrieval's own pool of platform threads ({@code ganglion-retrieval-<n>}) for parsing, chunking and index work.
 * Fixed platform threads rather than Vert.x's worker pool or virtual threads: JVector keeps its graph-search scratch
 * per thread, and Lucene/JVector calls block. Results return to the verticle's context.
 * <p>
 * Two lanes, like inference's: {@link #run} is interactive (a search's steps on its shards), {@link #runBulk} is the
 * server's own background work (an ingestion's parsing and chunking, applying stored changes to shard copies,
 * snapshots, loading and closing copies). A free thread always takes an interactive task first, and bulk tasks run on
 * at most half the threads at once (at least one), so a search never queues behind an ingestion's backlog of
 * documents: the other half is kept for it (a search runs one task per shard, 4 by default, at each step; with one
 * kept thread they waited for each other: a pool-thread wait p99 of 39 ms under a saturating ingestion).
 * Within a lane, tasks run in submission order.
 * <p>
 * A task may carry its caller's deadline ({@link #run(Callable, long)}): if it passed while the task was queued, the
 * task is dropped when a thread takes it, without running, and fails with 5040; {@code
 * ganglion.retrieval.tasks.expired} counts them. Under overload a search that timed out upstream then costs no
 * thread time, so the searches behind it start sooner. {@code ganglion.retrieval.tasks.wait} (tagged {@code lane})
 * times how long tasks waited for a thread.
 */
public final class RetrievalWorkers implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RetrievalWorkers.class);

  private record Task(Runnable body, long submittedNanos) {
  }

  private final Context context;
  private final Object lock = new Object();
  private final List<ArrayDeque<Task>> queues = List.of(new ArrayDeque<>(), new ArrayDeque<>());
  private final List<Thread> threads = new ArrayList<>();
  private final int bulkThreads;
  private final QueueWait wait;
  private final Counter expired;
  private final Timer[] waited = new Timer[2];
  private int bulkRunning;
  private boolean shutdown;

  public RetrievalWorkers(int threads, Context context, MeterRegistry meters) {
    int count = Math.max(1, threads);
    this.bulkThreads = Math.max(1, count / 2);
    this.wait = new QueueWait(count);
    this.context = context;
    this.expired = Counter.builder("ganglion.retrieval.tasks.expired")
      .description("retrieval tasks dropped unrun because their caller's deadline passed while they were queued")
      .register(meters);
    for (Lane lane : Lane.values()) {
      waited[lane.ordinal()] = Timer.builder("ganglion.retrieval.tasks.wait")
        .description("time retrieval tasks waited for a pool thread (interactive: searches; bulk: ingestion and "
          + "index upkeep)")
        .tag("lane", lane.wire()).publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(30))
        .register(meters);
    }
    for (int n = 1; n <= count; n++) {
      Thread t = new Thread(this::work, "ganglion-retrieval-" + n);
      t.setDaemon(true);
      this.threads.add(t);
      t.start();
    }
  }

  /** Runs {@code task} on the pool, in the interactive lane; the future completes on the verticle's context. */
  public <T> Future<T> run(Callable<T> task) {
    return run(task, Long.MAX_VALUE);
  }

  /**
   * Runs {@code task} on the pool, in the interactive lane, unless {@code deadlineMillis} (epoch ms;
   * {@code Long.MAX_VALUE}: none) has passed when a thread takes it: then it fails with 5040 without running. The
   * future completes on the verticle's context.
   */
  public <T> Future<T> run(Callable<T> task, long deadlineMillis) {
    return submit(Lane.INTERACTIVE, task, deadlineMillis);
  }

  /** Runs {@code task} on the pool in the bulk lane, behind every interactive task (see the class comment). */
  public <T> Future<T> runBulk(Callable<T> task) {
    return runBulk(task, Long.MAX_VALUE);
  }

  /** {@link #runBulk(Callable)}, dropped unrun with 5040 when {@code deadlineMillis} passed while it was queued. */
  public <T> Future<T> runBulk(Callable<T> task, long deadlineMillis) {
    return submit(Lane.BULK, task, deadlineMillis);
  }

  private <T> Future<T> submit(Lane lane, Callable<T> task, long deadlineMillis) {
    CompletableFuture<T> cf = new CompletableFuture<>();
    Runnable body = () -> {
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
    };
    synchronized (lock) {
      if (shutdown) {
        cf.completeExceptionally(new IllegalStateException("the retrieval pool is closed"));
      } else {
        queues.get(lane.ordinal()).add(new Task(body, System.nanoTime()));
        lock.notifyAll();
      }
    }
    return Future.fromCompletionStage(cf, context);
  }

  /** A pool thread: interactive tasks first, bulk ones while fewer than {@code bulkThreads} run. */
  private void work() {
    while (true) {
      Task task;
      Lane lane;
      synchronized (lock) {
        while (true) {
          ArrayDeque<Task> interactive = queues.get(Lane.INTERACTIVE.ordinal());
          ArrayDeque<Task> bulk = queues.get(Lane.BULK.ordinal());
          if (!interactive.isEmpty()) {
            task = interactive.poll();
            lane = Lane.INTERACTIVE;
            break;
          }
          if (!bulk.isEmpty() && bulkRunning < bulkThreads) {
            task = bulk.poll();
            lane = Lane.BULK;
            bulkRunning++;
            break;
          }
          if (shutdown && (bulk.isEmpty() || bulkRunning > 0)) {
            // what bulk work is left, the threads running bulk take on after their task
            return;
          }
          try {
            lock.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
      }
      waited[lane.ordinal()].record(System.nanoTime() - task.submittedNanos(), TimeUnit.NANOSECONDS);
      try {
        task.body().run();
      } catch (Throwable t) {
        LOG.warn("retrieval task failed outside its future", t);
      } finally {
        if (lane == Lane.BULK) {
          synchronized (lock) {
            bulkRunning--;
            lock.notifyAll();
          }
        }
      }
    }
  }

  /**
   * How long a search task submitted now would wait before a thread takes it: the interactive tasks queued ahead of
   * it at the pool's recent time per task, over its threads (0 before a task finished: nothing is refused on a guess).
   */
  public long expectedWaitMillis() {
    return wait.expectedWaitMillis(queued(Lane.INTERACTIVE));
  }

  /** {@link #expectedWaitMillis()} for a bulk task: behind every queued task of both lanes. */
  public long expectedBulkWaitMillis() {
    return wait.expectedWaitMillis(queued());
  }

  /** Tasks submitted and not yet taken by a thread. */
  int queued() {
    synchronized (lock) {
      return queues.get(0).size() + queues.get(1).size();
    }
  }

  private int queued(Lane lane) {
    synchronized (lock) {
      return queues.get(lane.ordinal()).size();
    }
  }

  /** Turns a future completed on a pool thread into one completed on the verticle's context. */
  public <T> Future<T> onContext(CompletableFuture<T> cf) {
    return Future.fromCompletionStage(cf, context);
  }

  /** Runs what is queued, then stops the threads (waiting up to 10 s for them). */
  @Override
  public void close() throws InterruptedException {
    synchronized (lock) {
      shutdown = true;
      lock.notifyAll();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (Thread t : threads) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }
}
