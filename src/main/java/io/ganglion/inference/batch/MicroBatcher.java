package io.ganglion.inference.batch;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model's bounded queue, drained by its own platform threads into micro-batches.
 * <p>
 * A worker takes the oldest input and keeps taking inputs until a batch is full ({@code maxBatch} inputs or
 * {@code maxBatchTokens} padded tokens) or the oldest input has waited {@code maxWait}; inputs already queued behind
 * a full batch join the same window, up to {@value #WINDOW_BATCHES} batches, which is then sorted by length and cut
 * into batches ({@link BatchPlan}) so each pads little. Each submission gets exactly its own rows back, in order,
 * however its inputs were spread over batches.
 * <p>
 * <b>NOTE</b>: {@link #submit} never blocks and may be called from an event loop; the returned future completes on a
 * batcher thread, so callers hop back to their context ({@code Future.fromCompletionStage(cf, context)}). Cancelling
 * the future (a caller's timeout) drops its inputs that have not run yet.
 * <p>
 * Why dedicated platform threads rather than a Vert.x worker pool: a drain loop blocks in {@code poll} for its whole
 * life, which would pin a worker-pool thread and trip the blocked-thread checker; ONNX Runtime already parallelises
 * each batch over its own intra-op threads, so one long-lived thread per model is all the concurrency a model needs,
 * and the batcher stays testable and benchmarkable without Vert.x.
 *
 * @param <I> what callers submit
 * @param <P> an input prepared on a batcher thread
 * @param <O> one output row
 */
public final class MicroBatcher<I, P, O> implements AutoCloseable {

  /** Batches' worth of already-queued inputs sorted together; bounds how far sorting may delay the oldest input. */
  static final int WINDOW_BATCHES = 4;

  private static final Logger log = LoggerFactory.getLogger(MicroBatcher.class);

  private final String model;
  private final BatchRunner<I, P, O> runner;
  private final BatchPolicy policy;
  private final long maxWaitNanos;
  private final int windowLimit;
  // permits bound the queue all-or-nothing per submission; LinkedBlockingQueue alone could admit half a request
  private final Semaphore room;
  private final LinkedBlockingQueue<QueuedItem<I, P, O>> queue = new LinkedBlockingQueue<>();
  private final BatchMetrics metrics;
  private final List<Thread> workers = new ArrayList<>();
  // one per worker, queued by close(): wakes a worker blocked in take() without interrupting a running batch
  private final QueuedItem<I, P, O> poison = new QueuedItem<>(null, -1, null, 0);
  private volatile boolean closed;

  /**
   * Starts {@link BatchPolicy#workers()} threads named {@code ganglion-inference-<model>-<n>}.
   *
   * @param model the model's name, used in thread names, errors and the {@code model} metric tag
   * @param runner the model's per-input and per-batch steps
   * @param policy batch size, token budget, wait and queue bounds
   * @param meters where the batching metrics are registered
   */
  public MicroBatcher(String model, BatchRunner<I, P, O> runner, BatchPolicy policy, MeterRegistry meters) {
    this.model = model;
    this.runner = runner;
    this.policy = policy;
    this.maxWaitNanos = policy.maxWait().toNanos();
    this.windowLimit = policy.maxBatch() == 1 ? 1 : policy.maxBatch() * WINDOW_BATCHES;
    this.room = new Semaphore(policy.queueCapacity());
    this.metrics = new BatchMetrics(meters, model, policy, queue::size);
    for (int i = 0; i < policy.workers(); i++) {
      Thread worker = Thread.ofPlatform().name("ganglion-inference-" + model + "-" + i).daemon(true)
        .unstarted(this::drain);
      workers.add(worker);
      worker.start();
    }
  }

  /**
   * Queues {@code inputs} for batching.
   *
   * @return their outputs in order; fails with {@link QueueFullException} at once when the queue lacks room for all
   *   of them, {@link BatcherClosedException} when closed, {@link OversizedRequestException} when they could never fit
   *   the queue, or with the runner's failure
   */
  public CompletableFuture<List<O>> submit(List<I> inputs) {
    int n = inputs.size();
    if (n == 0) {
      return CompletableFuture.completedFuture(List.of());
    }
    if (closed) {
      return CompletableFuture.failedFuture(new BatcherClosedException(model));
    }
    if (n > policy.queueCapacity()) {
      return CompletableFuture.failedFuture(new OversizedRequestException(model, n, policy.queueCapacity()));
    }
    if (!room.tryAcquire(n)) {
      metrics.rejected.increment();
      return CompletableFuture.failedFuture(new QueueFullException(model, n, policy.queueCapacity()));
    }
    CallerRows<O> caller = new CallerRows<>(n);
    long now = System.nanoTime();
    for (int i = 0; i < n; i++) {
      queue.add(new QueuedItem<>(caller, i, inputs.get(i), now));
    }
    if (closed) {
      // close() may have drained the queue between our check and our adds
      failQueued();
    }
    return caller.future;
  }

  /** Inputs waiting, not yet taken by a worker. */
  public int queueDepth() {
    return queue.size();
  }

  /** The model this batcher serves. */
  public String model() {
    return model;
  }

  private void drain() {
    boolean stop = false;
    while (!stop) {
      List<QueuedItem<I, P, O>> window = new ArrayList<>();
      try {
        QueuedItem<I, P, O> first = queue.take();
        if (first == poison) {
          return;
        }
        stop = collect(first, window);
      } catch (InterruptedException e) {
        failAll(window, new BatcherClosedException(model));
        return;
      }
      for (List<QueuedItem<I, P, O>> batch : BatchPlan.cut(window, policy.maxBatch(), policy.maxBatchTokens())) {
        if (closed) {
          failAll(batch, new BatcherClosedException(model));
        } else {
          run(batch);
        }
      }
    }
  }

  /**
   * Fills {@code window} from {@code first} until a batch is ready and the queue is empty, or time is up.
   *
   * @return whether the worker met its stop signal
   */
  private boolean collect(QueuedItem<I, P, O> first, List<QueuedItem<I, P, O>> window) throws InterruptedException {
    long deadline = first.enqueuedNanos + maxWaitNanos;
    take(first, window);
    int longest = first.length;
    while (window.size() < windowLimit) {
      boolean ready = window.size() >= policy.maxBatch() || (long) window.size() * longest >= policy.maxBatchTokens();
      long left = deadline - System.nanoTime();
      QueuedItem<I, P, O> next = ready || left <= 0 ? queue.poll() : queue.poll(left, TimeUnit.NANOSECONDS);
      if (next == null) {
        return false;
      }
      if (next == poison) {
        return true;
      }
      take(next, window);
      longest = Math.max(longest, next.length);
    }
    return false;
  }

  private void take(QueuedItem<I, P, O> item, List<QueuedItem<I, P, O>> window) {
    room.release();
    if (item.caller.abandoned()) {
      return;
    }
    try {
      item.prepared = runner.prepare(item.input);
      item.length = runner.length(item.prepared);
      window.add(item);
    } catch (Exception e) {
      item.caller.fail(e);
    }
  }

  private void run(List<QueuedItem<I, P, O>> batch) {
    batch.removeIf(item -> item.caller.abandoned());
    if (batch.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    List<P> prepared = new ArrayList<>(batch.size());
    int longest = 0;
    for (QueuedItem<I, P, O> item : batch) {
      metrics.queueWait.record(start - item.enqueuedNanos, TimeUnit.NANOSECONDS);
      prepared.add(item.prepared);
      longest = Math.max(longest, item.length);
    }
    List<O> rows;
    try {
      rows = runner.run(prepared);
      if (rows.size() != batch.size()) {
        throw new IllegalStateException(model + " returned " + rows.size() + " rows for " + batch.size() + " inputs");
      }
    } catch (Throwable t) {
      record(batch.size(), longest, start);
      log.warn("inference batch of {} inputs failed on {}", batch.size(), model, t);
      failAll(batch, t);
      if (t instanceof Error e) {
        throw e;
      }
      return;
    }
    // meters first: a caller that has its rows may read them at once
    record(batch.size(), longest, start);
    for (int i = 0; i < rows.size(); i++) {
      batch.get(i).caller.complete(batch.get(i).index, rows.get(i));
    }
  }

  private void record(int size, int longest, long startNanos) {
    metrics.runTime.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    metrics.batchSize.record(size);
    metrics.batchTokens.record((double) size * longest);
    metrics.items.increment(size);
  }

  private void failAll(List<QueuedItem<I, P, O>> items, Throwable failure) {
    items.forEach(item -> item.caller.fail(failure));
  }

  private void failQueued() {
    List<QueuedItem<I, P, O>> left = new ArrayList<>();
    queue.drainTo(left);
    // a late submit may drain while close() is stopping the workers: their stop signals go back in
    int signals = (int) left.stream().filter(item -> item == poison).count();
    left.removeIf(item -> item == poison);
    for (int i = 0; i < signals; i++) {
      queue.add(poison);
    }
    room.release(left.size());
    failAll(left, new BatcherClosedException(model));
  }

  /**
   * Refuses new submissions, fails every queued input with {@link BatcherClosedException}, lets running batches
   * finish (a native run cannot be interrupted) and joins the workers, waiting at most 10 seconds each.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    failQueued();
    workers.forEach(worker -> queue.add(poison));
    for (Thread worker : workers) {
      try {
        if (!worker.join(java.time.Duration.ofSeconds(10))) {
          log.warn("inference worker {} still running a batch after 10 s; leaving it", worker.getName());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    failQueued();
    metrics.remove();
  }
}
