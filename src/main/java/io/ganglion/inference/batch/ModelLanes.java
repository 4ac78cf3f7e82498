package io.ganglion.inference.batch;

import io.ganglion.bus.ErrorCode;
import io.ganglion.inference.Lane;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * One model's two lanes and how a batch is cut from them.
 * <ul>
 *   <li><b>Admission</b> ({@link #reserve}): a request takes room for all its inputs at once, or none. A full
 *   interactive lane refuses at once ({@link QueueFullException}, 5030); a full bulk lane parks the request until room
 *   frees (up to {@code bulkMaxWaiting} requests, then 5030), so ingestion waits instead of failing. An interactive
 *   request is also refused at once when the interactive inputs already admitted would, at the model's recent speed,
 *   take longer than its caller's remaining time ({@value #WAIT_SHARE} of it): it could not be answered in time, so
 *   under overload it fails fast with 503 instead of queueing until its deadline and failing with 504.</li>
 *   <li><b>Expiry</b>: an item whose caller's deadline passed, or whose caller gave up, is dropped before every cut and
 *   never takes a batch slot.</li>
 *   <li><b>Cut</b> ({@link #cut}), only when a worker is free: interactive items first, then bulk fills the batch up to
 *   the bulk budget ({@code bulkBatchTokens} padded tokens, or what the interactive items already pad, whichever is
 *   more), so bulk never makes an interactive input's batch longer than a bulk batch; while both wait,
 *   {@code bulkMinShare} of the batch's items is kept for bulk, and when the budget left bulk nothing for
 *   1 / {@code bulkMinShare} - 1 cuts in a row the next batch is bulk's alone, so bulk is never starved. Within a lane
 *   the batch is anchored at the lane's first item (submission round, then arrival) and filled from the next
 *   {@value #WINDOW_BATCHES} batches' worth with the items closest to it in length, so batches pad little and no item
 *   is passed over for long. A batch of bulk items only is held to {@code bulkBatchTokens}.</li>
 * </ul>
 * <b>NOTE</b>: not thread-safe; the inference verticle's event loop is its only caller. Futures returned here
 * complete on that thread.
 */
final class ModelLanes<O> {

  /** Batches' worth of each lane's first items a cut chooses among; bounds how long sorting may pass an item over. */
  static final int WINDOW_BATCHES = 4;

  private static final Comparator<QueuedItem<?>> LANE_ORDER =
    Comparator.<QueuedItem<?>>comparingInt(item -> item.round).thenComparingLong(item -> item.seq);

  /**
   * The share of a caller's remaining time an interactive request may expect to spend waiting behind others. All of it:
   * the estimate follows a shared machine's speed only roughly, and refusing a request that would have been answered
   * is worse than letting one time out.
   */
  static final double WAIT_SHARE = 1.0;
  /** Weight of the newest batch in the smoothed run time per input. */
  private static final double SMOOTHING = 0.2;

  private record Parked(int size, long deadlineMillis, Promise<Void> admitted) {
  }

  private final String model;
  private final BatchPolicy policy;
  private final BatchMetrics metrics;
  private final List<PriorityQueue<QueuedItem<O>>> queues = List.of(new PriorityQueue<>(LANE_ORDER),
    new PriorityQueue<>(LANE_ORDER));
  // admitted items per lane not yet cut into a batch: queued, or still being tokenized
  private final int[] reserved = new int[2];
  private final long[] queuedTokens = new long[2];
  private final ArrayDeque<Parked> parked = new ArrayDeque<>();
  private long seq;
  private long cuts;
  /** Cuts in a row that found bulk items waiting and took none of them. */
  private long bulkPassed;
  /** Smoothed worker time one input of a batch took (0 until a batch finished). */
  private double nanosPerInput;
  private int workers = 1;

  ModelLanes(String model, BatchPolicy policy, io.micrometer.core.instrument.MeterRegistry meters) {
    this.model = model;
    this.policy = policy;
    this.metrics = new BatchMetrics(meters, model, policy, this::depth);
  }

  BatchMetrics metrics() {
    return metrics;
  }

  String model() {
    return model;
  }

  /**
   * Takes room for {@code size} inputs in {@code lane}: at once when there is room, later (bulk, lane full), or never
   * (interactive lane full: {@link QueueFullException}; more inputs than the lane holds: {@link OversizedRequestException}).
   */
  Future<Void> reserve(Lane lane, int size, long deadlineMillis) {
    int capacity = capacity(lane);
    if (size > capacity) {
      return Future.failedFuture(new OversizedRequestException(model, size, capacity));
    }
    if (lane == Lane.INTERACTIVE) {
      long waitMillis = expectedWaitMillis();
      long leftMillis = deadlineMillis - System.currentTimeMillis();
      if (waitMillis > leftMillis * WAIT_SHARE) {
        metrics.rejected(lane).increment();
        return Future.failedFuture(QueueFullException.behind(model, reserved[lane.ordinal()], waitMillis, leftMillis));
      }
    }
    if (reserved[lane.ordinal()] + size <= capacity && (lane == Lane.INTERACTIVE || parked.isEmpty())) {
      reserved[lane.ordinal()] += size;
      return Future.succeededFuture();
    }
    if (lane == Lane.INTERACTIVE || parked.size() >= policy.bulkMaxWaiting()) {
      metrics.rejected(lane).increment();
      return Future.failedFuture(new QueueFullException(model, size, capacity));
    }
    Promise<Void> admitted = Promise.promise();
    parked.add(new Parked(size, deadlineMillis, admitted));
    return admitted.future();
  }

  /** A batch of {@code inputs} took {@code runNanos} on a worker: updates the speed admission expects. */
  void ran(int inputs, long runNanos) {
    if (inputs <= 0 || runNanos <= 0) {
      return;
    }
    double sample = (double) runNanos / inputs;
    nanosPerInput = nanosPerInput == 0 ? sample : nanosPerInput + SMOOTHING * (sample - nanosPerInput);
  }

  /** Worker verticles batches of every model share. */
  void workers(int workers) {
    this.workers = Math.max(1, workers);
  }

  /**
   * How long the interactive inputs admitted and not yet cut will take, at the recent speed spread over the workers
   * (0 before a batch finished: nothing is refused on a guess).
   */
  long expectedWaitMillis() {
    return (long) (reserved[Lane.INTERACTIVE.ordinal()] * nanosPerInput / workers / 1_000_000);
  }

  /** Gives back room taken by {@link #reserve} for inputs that will not be queued (their tokenizing failed). */
  void unreserve(Lane lane, int size) {
    reserved[lane.ordinal()] -= size;
    admitParked(System.currentTimeMillis());
  }

  /** Queues the tokenized inputs of one admitted request. */
  void enqueue(CallerRows<O> caller, List<ai.djl.huggingface.tokenizers.Encoding> encodings, Lane lane,
               long deadlineMillis) {
    long now = System.nanoTime();
    PriorityQueue<QueuedItem<O>> queue = queues.get(lane.ordinal());
    for (int i = 0; i < encodings.size(); i++) {
      QueuedItem<O> item = new QueuedItem<>(caller, i, encodings.get(i), lane, i / policy.maxBatch(), seq++, now,
        deadlineMillis);
      queue.add(item);
      queuedTokens[lane.ordinal()] += item.length;
    }
  }

  /** Items waiting in {@code lane}. */
  int depth(Lane lane) {
    return queues.get(lane.ordinal()).size();
  }

  /** Requests waiting for room in the bulk lane. */
  int parked() {
    return parked.size();
  }

  /**
   * When the next batch should be cut, on the {@link System#nanoTime()} clock: {@code nowNanos} if one is ready (a full
   * batch's worth of items or tokens queued, the oldest item has waited {@code maxWait}, or every item queued is one
   * interactive request's and no other interactive input is being tokenized), the moment the oldest will have waited
   * {@code maxWait} otherwise, {@link Long#MAX_VALUE} when nothing waits. The dispatcher asks only while a worker is
   * free.
   */
  long nextCutNanos(long nowNanos) {
    return nextCutNanos(nowNanos, null);
  }

  /**
   * {@link #nextCutNanos(long)} of {@code only}'s items ({@code null}: both lanes'); a bulk-only batch is full at
   * {@code bulkBatchTokens}.
   */
  long nextCutNanos(long nowNanos, Lane only) {
    int items = only == null ? depth(Lane.INTERACTIVE) + depth(Lane.BULK) : depth(only);
    if (items == 0) {
      return Long.MAX_VALUE;
    }
    long tokens = only == null ? queuedTokens[0] + queuedTokens[1] : queuedTokens[only.ordinal()];
    long full = only == Lane.BULK ? policy.bulkBatchTokens() : policy.maxBatchTokens();
    if (items >= policy.maxBatch() || tokens >= full) {
      return nowNanos;
    }
    long oldest = Long.MAX_VALUE;
    CallerRows<O> caller = null;
    boolean lone = reserved[Lane.INTERACTIVE.ordinal()] == depth(Lane.INTERACTIVE)
      && (only == Lane.INTERACTIVE || depth(Lane.BULK) == 0);
    for (PriorityQueue<QueuedItem<O>> queue : only == null ? queues : List.of(queues.get(only.ordinal()))) {
      for (QueuedItem<O> item : queue) {
        oldest = Math.min(oldest, item.enqueuedNanos);
        lone &= item.lane == Lane.INTERACTIVE && (caller == null || caller == item.caller);
        caller = item.caller;
      }
    }
    // a lone interactive request (nothing else queued or being tokenized, and a worker free: the only time this is
    // asked) gains nothing by waiting for others that are not coming
    return lone ? nowNanos : Math.max(nowNanos, oldest + policy.maxWait().toNanos());
  }

  /**
   * Drops expired items, then cuts one batch (see the class comment); empty when nothing is left to run. The batch's
   * items leave their lanes, so their room goes to parked bulk requests.
   */
  List<QueuedItem<O>> cut(long nowNanos, long nowMillis) {
    expire(nowMillis);
    List<QueuedItem<O>> batch = new ArrayList<>(policy.maxBatch());
    PriorityQueue<QueuedItem<O>> interactive = queues.get(Lane.INTERACTIVE.ordinal());
    cutMixed(interactive, batch);
    return taken(batch, nowNanos, nowMillis);
  }

  /**
   * Drops expired items, then cuts one batch of interactive items only (up to {@code maxBatch} and
   * {@code maxBatchTokens}, anchored and length-sorted as {@link #cut} does): for a worker kept for interactive work
   * while the others run bulk batches. Bulk items stay queued and {@code bulkMinShare}'s count is not advanced.
   */
  List<QueuedItem<O>> cutInteractive(long nowNanos, long nowMillis) {
    expire(nowMillis);
    List<QueuedItem<O>> batch = new ArrayList<>(policy.maxBatch());
    take(queues.get(Lane.INTERACTIVE.ordinal()), policy.maxBatch(), policy.maxBatchTokens(), batch, new int[]{0});
    return taken(batch, nowNanos, nowMillis);
  }

  /**
   * Drops expired items, then cuts one batch of bulk items only, held to {@code bulkBatchTokens}: for a shared worker
   * while a worker kept for interactive work is idle, which then takes the interactive items unpadded by bulk.
   */
  List<QueuedItem<O>> cutBulk(long nowNanos, long nowMillis) {
    expire(nowMillis);
    List<QueuedItem<O>> batch = new ArrayList<>(policy.maxBatch());
    take(queues.get(Lane.BULK.ordinal()), policy.maxBatch(), policy.bulkBatchTokens(), batch, new int[]{0});
    if (!batch.isEmpty()) {
      bulkPassed = 0;
    }
    return taken(batch, nowNanos, nowMillis);
  }

  private void cutMixed(PriorityQueue<QueuedItem<O>> interactive, List<QueuedItem<O>> batch) {
    PriorityQueue<QueuedItem<O>> bulk = queues.get(Lane.BULK.ordinal());
    boolean both = !interactive.isEmpty() && !bulk.isEmpty();
    int bulkSlots = 0;
    if (both) {
      bulkSlots = Math.min(policy.bulkSlots(), policy.maxBatch());
      long period = policy.bulkMinShare() == 0 ? Long.MAX_VALUE : Math.max(1, Math.round(1 / policy.bulkMinShare()));
      if (bulkPassed >= period - 1) {
        // bulk waited through the last (1 / share) - 1 cuts without an item: this batch is bulk's
        bulkSlots = policy.maxBatch();
      } else if (bulkSlots >= policy.maxBatch()) {
        // a batch too small to share: interactive first; bulk gets its turn through bulkPassed
        bulkSlots = 0;
      }
    }
    int[] longest = {0};
    take(interactive, policy.maxBatch() - bulkSlots, policy.maxBatchTokens(), batch, longest);
    // bulk fills a batch of interactive items only as far as a batch of bulk alone may go (or as far as the
    // interactive items already pad it): bulk never makes an interactive input wait longer than a bulk batch would
    int bulkBudget = batch.isEmpty() ? policy.bulkBatchTokens()
      : Math.max(policy.bulkBatchTokens(), batch.size() * longest[0]);
    int before = batch.size();
    take(bulk, policy.maxBatch() - batch.size(), bulkBudget, batch, longest);
    if (both) {
      bulkPassed = batch.size() > before ? 0 : bulkPassed + 1;
    }
    if (batch.isEmpty()) {
      take(interactive, policy.maxBatch(), policy.maxBatchTokens(), batch, longest);
    }
  }

  /** Books {@code batch}'s items out of their lanes, so their room goes to parked bulk requests. */
  private List<QueuedItem<O>> taken(List<QueuedItem<O>> batch, long nowNanos, long nowMillis) {
    if (!batch.isEmpty()) {
      cuts++;
      for (QueuedItem<O> item : batch) {
        reserved[item.lane.ordinal()]--;
        queuedTokens[item.lane.ordinal()] -= item.length;
        metrics.queueWait(item.lane).record(nowNanos - item.enqueuedNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
      }
      admitParked(nowMillis);
    }
    return batch;
  }

  /** Fails everything queued and parked with {@code failure} (the verticle is stopping, or the model unloading). */
  void failAll(Throwable failure) {
    for (PriorityQueue<QueuedItem<O>> queue : queues) {
      queue.forEach(item -> item.caller.fail(failure));
      queue.clear();
    }
    parked.forEach(p -> p.admitted.tryFail(failure));
    parked.clear();
    reserved[0] = 0;
    reserved[1] = 0;
    queuedTokens[0] = 0;
    queuedTokens[1] = 0;
  }

  private void take(PriorityQueue<QueuedItem<O>> queue, int slots, int budget, List<QueuedItem<O>> batch,
                    int[] longest) {
    if (slots <= 0 || queue.isEmpty()) {
      return;
    }
    List<QueuedItem<O>> window = new ArrayList<>();
    while (window.size() < slots * WINDOW_BATCHES && !queue.isEmpty()) {
      window.add(queue.poll());
    }
    QueuedItem<O> anchor = window.get(0);
    List<QueuedItem<O>> byLength = new ArrayList<>(window.subList(1, window.size()));
    byLength.sort(Comparator.<QueuedItem<O>>comparingInt(item -> Math.abs(item.length - anchor.length))
      .thenComparing(LANE_ORDER));
    byLength.add(0, anchor);
    int taken = 0;
    for (QueuedItem<O> item : byLength) {
      int padded = Math.max(longest[0], item.length);
      // the first item of a batch always runs, however long: a single long input runs alone
      boolean fits = taken < slots && (batch.isEmpty() || (long) (batch.size() + 1) * padded <= budget);
      if (fits) {
        batch.add(item);
        longest[0] = padded;
        taken++;
      } else {
        queue.add(item);
      }
    }
  }

  private void expire(long nowMillis) {
    for (PriorityQueue<QueuedItem<O>> queue : queues) {
      for (Iterator<QueuedItem<O>> it = queue.iterator(); it.hasNext(); ) {
        QueuedItem<O> item = it.next();
        if (item.gone(nowMillis)) {
          it.remove();
          reserved[item.lane.ordinal()]--;
          queuedTokens[item.lane.ordinal()] -= item.length;
          if (!item.caller.abandoned()) {
            item.caller.fail(ErrorCode.TIMEOUT.exception("the request's deadline passed while it waited for " + model));
          }
          metrics.expired(item.lane).increment();
        }
      }
    }
    for (Iterator<Parked> it = parked.iterator(); it.hasNext(); ) {
      Parked p = it.next();
      if (nowMillis >= p.deadlineMillis) {
        it.remove();
        p.admitted.tryFail(ErrorCode.TIMEOUT.exception("the request's deadline passed while it waited for room in "
          + model + "'s bulk lane"));
      }
    }
  }

  private void admitParked(long nowMillis) {
    int bulk = Lane.BULK.ordinal();
    while (!parked.isEmpty()) {
      Parked head = parked.peek();
      if (nowMillis >= head.deadlineMillis) {
        parked.poll();
        head.admitted.tryFail(ErrorCode.TIMEOUT.exception("the request's deadline passed while it waited for room in "
          + model + "'s bulk lane"));
        continue;
      }
      if (reserved[bulk] + head.size > policy.bulkCapacity()) {
        return;
      }
      parked.poll();
      reserved[bulk] += head.size;
      head.admitted.complete();
    }
  }

  private int capacity(Lane lane) {
    return lane == Lane.INTERACTIVE ? policy.interactiveCapacity() : policy.bulkCapacity();
  }
}
