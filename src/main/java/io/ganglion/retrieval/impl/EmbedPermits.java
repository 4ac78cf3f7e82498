package io.ganglion.retrieval.impl;

import io.ganglion.bus.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * How many bulk embedding requests ingestion keeps in flight on this node, across all its jobs and synchronous
 * requests: the rest wait here, in order, and start as earlier ones finish. This is the backpressure from the model's
 * bulk lane back to the jobs: a job's next slice is not read before its current one is embedded, so memory stays
 * bounded by the slices in progress, and the lane is never asked for more than it holds.
 * <p>
 * It is also where ingestion's wait is known: the texts waiting or in flight here (the ingestion path's backlog)
 * times the smoothed time per text of the requests that finished, over the permits ({@link #expectedWaitMillis}), is
 * what a synchronous ingestion is admitted against ({@link Admission#ingest}). A request whose deadline passed while
 * it waited is dropped before it starts (5040), so a caller that gave up occupies nothing; jobs carry no deadline and
 * always wait their turn. Meters: {@code ganglion.retrieval.ingest.backlog.texts}, {@code
 * ganglion.retrieval.ingest.wait} (seconds: the expected wait of one more text now) and {@code
 * ganglion.retrieval.ingest.expired} (requests dropped past their deadline).
 * <p>
 * The time per text is the run time of a finished request over its texts (Little's law: with every permit busy, a
 * request's run time is the permits' texts over the throughput). Below saturation, and for the first requests of a
 * burst, it reads low, so the estimate errs towards admitting.
 * <p>
 * <b>NOTE</b>: not thread-safe; call from the retrieval verticle's event loop only (the gauges read from any thread).
 */
public final class EmbedPermits {

  private record Waiting(int texts, long deadlineMillis, Runnable start, Promise<?> result) {
  }

  private final int permits;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private final QueueWait wait;
  private final Counter expired;
  private final LongSupplier nanoTime;
  private int inFlight;
  // written on the event loop only; volatile for the gauges
  private volatile long backlog;

  /** @param permits requests in flight at once; at least 1 */
  public EmbedPermits(int permits, MeterRegistry meters) {
    this(permits, meters, System::nanoTime);
  }

  /** With the clock that times requests ({@link System#nanoTime} but in tests). */
  EmbedPermits(int permits, MeterRegistry meters, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be at least 1, got " + permits);
    }
    this.permits = permits;
    this.wait = new QueueWait(permits);
    this.expired = Counter.builder("ganglion.retrieval.ingest.expired")
      .description("ingestion embedding requests dropped before they started because their deadline had passed")
      .register(meters);
    Gauge.builder("ganglion.retrieval.ingest.backlog.texts", this, p -> p.backlog)
      .description("texts of ingestion embedding requests waiting or in flight on this node").register(meters);
    Gauge.builder("ganglion.retrieval.ingest.wait", this, p -> p.expectedWaitMillis(1) / 1000.0)
      .description("expected wait of an ingestion embedding request submitted now").baseUnit("seconds")
      .register(meters);
  }

  /**
   * Runs {@code work}, an embedding request of {@code texts} texts, once a permit is free, and frees it when
   * {@code work}'s future completes. If {@code deadlineMillis} (epoch ms; {@code Long.MAX_VALUE}: none) has passed
   * when its turn comes, {@code work} never runs and the future fails with 5040.
   */
  public <T> Future<T> run(int texts, long deadlineMillis, Supplier<Future<T>> work) {
    Promise<T> result = Promise.promise();
    backlog += texts;
    Waiting entry = new Waiting(texts, deadlineMillis, () -> start(texts, work, result), result);
    if (inFlight < permits) {
      startOrDrop(entry, System.currentTimeMillis());
    } else {
      waiting.add(entry);
    }
    return result.future();
  }

  /**
   * How long a request of {@code texts} more texts would take to be embedded if submitted now: every text waiting or
   * in flight ahead of it and its own, at the recent time per text, over the permits. 0 until a request finished
   * (nothing is refused on a guess). Requests already past their deadline are dropped first (they will not run).
   */
  public long expectedWaitMillis(int texts) {
    return wait.expectedWaitMillis(backlog + texts);
  }

  /** Drops the waiting requests whose deadline has passed (their callers gave up), so they count in no backlog. */
  public void dropExpired(long nowMillis) {
    for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
      Waiting w = it.next();
      if (nowMillis >= w.deadlineMillis) {
        it.remove();
        drop(w);
      }
    }
  }

  /** Requests waiting for a permit. */
  public int waiting() {
    return waiting.size();
  }

  /** Texts waiting or in flight. */
  public long backlog() {
    return backlog;
  }

  private void startOrDrop(Waiting entry, long nowMillis) {
    if (nowMillis >= entry.deadlineMillis) {
      drop(entry);
    } else {
      entry.start.run();
    }
  }

  private void drop(Waiting entry) {
    backlog -= entry.texts;
    expired.increment();
    entry.result.tryFail(ErrorCode.TIMEOUT.exception(
      "the request's deadline passed while its texts waited to be embedded behind other ingestion work"));
  }

  private <T> void start(int texts, Supplier<Future<T>> work, Promise<T> result) {
    inFlight++;
    long started = nanoTime.getAsLong();
    Future<T> running;
    try {
      running = work.get();
    } catch (RuntimeException e) {
      running = Future.failedFuture(e);
    }
    running.onComplete(done -> {
      inFlight--;
      backlog -= texts;
      if (done.succeeded()) {
        wait.ran(nanoTime.getAsLong() - started, texts);
      }
      startWaiting();
      result.handle(done);
    });
  }

  private void startWaiting() {
    long now = System.currentTimeMillis();
    while (inFlight < permits) {
      Waiting next = waiting.poll();
      if (next == null) {
        return;
      }
      startOrDrop(next, now);
    }
  }
}
