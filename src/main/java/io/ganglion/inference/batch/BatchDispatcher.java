package io.ganglion.inference.batch;

import io.ganglion.bus.Tracers;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import ai.djl.huggingface.tokenizers.Encoding;
import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.ErrorCode;
import io.ganglion.bus.LocalCodec;
import io.ganglion.inference.Lane;
import io.ganglion.inference.onnx.LoadedModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Forms batches where requests arrive and hands each to an idle {@link BatchWorker}: one per node, on the inference
 * verticle's event loop.
 * <p>
 * A submission takes room in its model's lane ({@link ModelLanes#reserve}), is tokenized on a small worker executor
 * ({@code ganglion-inference-prepare}, or {@code ganglion-inference-prepare-bulk} for the bulk lane, so a query is
 * never tokenized behind an ingestion's texts; real token counts are what batches are sorted and budgeted by), and
 * queued. A
 * batch is cut only when a worker is free (the dispatcher holds one permit per worker: the idle set), and which lane
 * goes first is decided at that moment. A worker's reply completes its items' callers on this event loop, returns the
 * worker to the idle set and cuts the next batch. Models take turns, so one busy model cannot starve another.
 * <p>
 * <b>NOTE</b>: every method runs on the event loop of the verticle that created the dispatcher; none blocks.
 */
public final class BatchDispatcher {

  private static final Logger log = LoggerFactory.getLogger(BatchDispatcher.class);

  private final class Entry<O> {
    final LoadedModel<?, O> model;
    final ModelLanes<O> lanes;
    int running;
    Promise<Void> drained;

    Entry(LoadedModel<?, O> model) {
      this.model = model;
      this.lanes = new ModelLanes<>(model.spec().ref(), policy, meters);
      lanes.workers(workers);
    }
  }

  private final Vertx vertx;
  private final BatchPolicy policy;
  private final MeterRegistry meters;
  /** Tokenizes interactive submissions; bulk ones on their own executor, so a query never queues behind them. */
  private final WorkerExecutor prepare;
  private final WorkerExecutor prepareBulk;
  private final Tracer tracer;
  private final long jobTimeoutMs;
  private final Map<String, Entry<?>> entries = new LinkedHashMap<>();
  private final ArrayDeque<String> idle = new ArrayDeque<>();
  /** Idle workers kept for interactive work: they take a batch only while every shared worker runs bulk items. */
  private final ArrayDeque<String> idleBeside = new ArrayDeque<>();
  private int turn;
  private int workers = 1;
  /** Shared workers running a batch that holds bulk items. */
  private int bulkRunning;
  private long timer = -1;
  private long timerAt = Long.MAX_VALUE;
  private boolean pumping;
  private boolean closed;

  /**
   * @param jobTimeoutMs the deadline of one batch on a worker: a worker that does not answer within it is taken back
   *     (its batch failed), since a native run that long is stuck
   * @param prepareThreads threads that tokenize submissions
   */
  public BatchDispatcher(Vertx vertx, BatchPolicy policy, MeterRegistry meters, long jobTimeoutMs, int prepareThreads) {
    this.vertx = vertx;
    this.policy = policy;
    this.meters = meters;
    this.jobTimeoutMs = jobTimeoutMs;
    this.tracer = Tracers.of(vertx, "io.ganglion.inference");
    this.prepare = vertx.createSharedWorkerExecutor("ganglion-inference-prepare", prepareThreads);
    this.prepareBulk = vertx.createSharedWorkerExecutor("ganglion-inference-prepare-bulk", prepareThreads);
    LocalCodec.register(vertx.eventBus(), BatchJob.class);
    LocalCodec.register(vertx.eventBus(), BatchJob.Done.class);
  }

  /** The node-local address of worker {@code n}. */
  public static String workerAddress(int n) {
    return Addresses.INFERENCE_WORKER_PREFIX + n;
  }

  /** A worker verticle instance taking batches on {@link #workerAddress}{@code (n)}. */
  public static BatchWorker worker(int n) {
    return new BatchWorker(workerAddress(n));
  }

  /**
   * Workers {@code 0..count-1} (shared: any batch) and {@code count..count+beside-1} (kept for interactive work) are
   * deployed and take batches from now on.
   */
  public void workersReady(int count, int beside) {
    for (int n = 0; n < count; n++) {
      idle.add(workerAddress(n));
    }
    for (int n = count; n < count + beside; n++) {
      idleBeside.add(workerAddress(n));
    }
    workers = Math.max(1, count);
    entries.values().forEach(entry -> entry.lanes.workers(workers));
    pump();
  }

  /** Starts batching for {@code model} (loaded and warmed up), under its {@code name@version}. */
  public void add(LoadedModel<?, ?> model) {
    String ref = model.spec().ref();
    if (entries.containsKey(ref)) {
      throw new IllegalStateException(ref + " is already batched");
    }
    entries.put(ref, new Entry<>(model));
  }

  /**
   * Stops batching for {@code ref}: what waits fails with {@code failure}, and the future completes once no batch of
   * the model runs any more, when the caller may close it.
   */
  public Future<Void> remove(String ref, Throwable failure) {
    Entry<?> entry = entries.remove(ref);
    if (entry == null) {
      return Future.succeededFuture();
    }
    entry.lanes.failAll(failure);
    entry.lanes.metrics().remove();
    if (entry.running == 0) {
      return Future.succeededFuture();
    }
    entry.drained = Promise.promise();
    return entry.drained.future();
  }

  /**
   * Runs {@code inputs} through {@code model} in batches.
   *
   * @param deadlineMillis when the caller gives up (epoch milliseconds); inputs still queued then are dropped
   * @return one output per input, in order; fails with {@link QueueFullException} (interactive lane full, or too many
   *   bulk requests waiting), {@link OversizedRequestException} (more inputs than the lane holds), a 5040 timeout (the
   *   deadline passed while queued), {@link BatcherClosedException} (stopping), or the model's failure
   */
  @SuppressWarnings("unchecked")
  public <I, O> Future<List<O>> submit(LoadedModel<I, O> model, List<I> inputs, Lane lane, long deadlineMillis) {
    if (inputs.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    if (closed) {
      return Future.failedFuture(new BatcherClosedException(model.spec().name()));
    }
    Entry<O> entry = (Entry<O>) entries.get(model.spec().ref());
    if (entry == null || entry.model != model) {
      return Future.failedFuture(new BatcherClosedException(model.spec().ref()));
    }
    if (System.currentTimeMillis() >= deadlineMillis) {
      return Future.failedFuture(ErrorCode.TIMEOUT.exception("the request's deadline had passed on arrival"));
    }
    int size = inputs.size();
    long submitted = System.nanoTime();
    // the receiving request's span, current only now on the handler's context (not in the callbacks below)
    SpanContext span = Span.current().getSpanContext();
    return entry.lanes.reserve(lane, size, deadlineMillis)
      .compose(admitted -> (lane == Lane.BULK ? prepareBulk : prepare).<List<Encoding>>executeBlocking(() -> inputs.stream().map(model::encode).toList(),
          false)
        .recover(failure -> {
          entry.lanes.unreserve(lane, size);
          return Future.failedFuture(failure);
        }))
      .compose(encodings -> {
        if (entries.get(model.spec().ref()) != entry) {
          return Future.failedFuture(new BatcherClosedException(model.spec().ref()));
        }
        CallerRows<O> caller = new CallerRows<>(size, span, submitted);
        entry.lanes.enqueue(caller, encodings, lane, deadlineMillis);
        pump();
        return caller.future();
      });
  }

  /** Inputs waiting in {@code lane} of the model {@code ref} (0 when it is not batched here). */
  public int depth(String ref, Lane lane) {
    Entry<?> entry = entries.get(ref);
    return entry == null ? 0 : entry.lanes.depth(lane);
  }

  /** Inputs of the model {@code ref} dropped unrun so far because their caller's deadline passed or it gave up. */
  public long expired(String ref) {
    Entry<?> entry = entries.get(ref);
    return entry == null ? 0 : (long) (entry.lanes.metrics().expired(Lane.INTERACTIVE).count()
      + entry.lanes.metrics().expired(Lane.BULK).count());
  }

  /** Batches of the model {@code ref} run on a worker kept for interactive work beside bulk ones (0: not batched). */
  public long besideBulk(String ref) {
    Entry<?> entry = entries.get(ref);
    return entry == null ? 0 : (long) entry.lanes.metrics().beside.count();
  }

  /** Workers without a batch right now (shared and kept for interactive work). */
  public int idleWorkers() {
    return idle.size() + idleBeside.size();
  }

  /** Fails everything waiting and refuses new work; batches already on a worker finish. */
  public void close() {
    closed = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    entries.values().forEach(entry -> {
      entry.lanes.failAll(new BatcherClosedException(entry.model.spec().name()));
      entry.lanes.metrics().remove();
    });
    entries.clear();
    prepare.close();
    prepareBulk.close();
  }

  /**
   * Cuts batches while a worker is free and a batch is ready; otherwise arms a timer for the next one due. A shared
   * worker takes any batch, except that while a worker kept for interactive work is idle and a bulk batch is due it
   * takes bulk only (the interactive items go to the kept worker unpadded by bulk); a worker kept for interactive work
   * takes a batch of interactive items only, and only while every shared worker runs bulk items (a query then runs
   * beside the bulk batch instead of waiting for it; under interactive load alone batching is as with the shared
   * workers only).
   */
  private void pump() {
    if (pumping || closed) {
      return;
    }
    pumping = true;
    try {
      while (!entries.isEmpty()) {
        boolean beside = idle.isEmpty();
        if (beside && (idleBeside.isEmpty() || bulkRunning < workers)) {
          return;
        }
        long now = System.nanoTime();
        List<Entry<?>> all = new ArrayList<>(entries.values());
        Entry<?> chosen = null;
        long next = Long.MAX_VALUE;
        Lane only = null;
        for (int k = 0; k < all.size(); k++) {
          Entry<?> entry = all.get((turn + k) % all.size());
          if (beside) {
            only = Lane.INTERACTIVE;
          } else {
            only = !idleBeside.isEmpty() && entry.lanes.nextCutNanos(now, Lane.BULK) <= now ? Lane.BULK : null;
          }
          long at = entry.lanes.nextCutNanos(now, only);
          if (at <= now) {
            chosen = entry;
            turn = (turn + k + 1) % all.size();
            break;
          }
          next = Math.min(next, at);
        }
        if (chosen == null) {
          arm(next, now);
          return;
        }
        dispatch(chosen, now, beside, only);
      }
    } finally {
      pumping = false;
    }
  }

  private <O> void dispatch(Entry<O> entry, long now, boolean beside, Lane only) {
    long millis = System.currentTimeMillis();
    List<QueuedItem<O>> batch = only == Lane.INTERACTIVE ? entry.lanes.cutInteractive(now, millis)
      : only == Lane.BULK ? entry.lanes.cutBulk(now, millis) : entry.lanes.cut(now, millis);
    if (batch.isEmpty()) {
      return;
    }
    ArrayDeque<String> pool = beside ? idleBeside : idle;
    String worker = pool.poll();
    List<Encoding> encodings = new ArrayList<>(batch.size());
    int longest = 0;
    boolean bulk = false;
    for (QueuedItem<O> item : batch) {
      encodings.add(item.encoding);
      longest = Math.max(longest, item.length);
      bulk |= item.lane == Lane.BULK;
    }
    boolean holdsBulk = bulk;
    if (holdsBulk) {
      bulkRunning++;
    }
    if (beside) {
      entry.lanes.metrics().beside.increment();
    }
    int padded = longest * batch.size();
    Span span = batchSpan(entry, batch, padded);
    entry.running++;
    vertx.eventBus().<BatchJob.Done>request(worker, new BatchJob(entry.model, encodings, beside),
        Deadlines.localWithin(jobTimeoutMs))
      .onComplete(done -> {
        if (done.failed()) {
          span.setStatus(StatusCode.ERROR, String.valueOf(done.cause().getMessage()));
        }
        span.end();
        pool.add(worker);
        if (holdsBulk) {
          bulkRunning--;
        }
        entry.running--;
        finished(entry, batch, padded, done.succeeded() ? done.result() : null, done.cause());
        if (entry.drained != null && entry.running == 0) {
          entry.drained.tryComplete();
        }
        pump();
      });
  }

  /**
   * A span for one batch, {@code inference.batch}: a trace of its own (a batch serves several requests) linked to the
   * span of each request it has inputs of, with the model, the number of inputs and the padded tokens.
   */
  private <O> Span batchSpan(Entry<O> entry, List<QueuedItem<O>> batch, int padded) {
    SpanBuilder builder = tracer.spanBuilder("inference.batch").setNoParent().setSpanKind(SpanKind.INTERNAL)
      .setAttribute("ganglion.model", entry.model.spec().ref())
      .setAttribute("ganglion.batch.size", (long) batch.size())
      .setAttribute("ganglion.batch.tokens", (long) padded);
    java.util.Set<CallerRows<O>> linked = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (QueuedItem<O> item : batch) {
      if (item.caller.span.isValid() && linked.add(item.caller)) {
        builder.addLink(item.caller.span);
      }
    }
    return builder.startSpan();
  }

  @SuppressWarnings("unchecked")
  private <O> void finished(Entry<O> entry, List<QueuedItem<O>> batch, int padded, Message<BatchJob.Done> reply,
                            Throwable failure) {
    BatchMetrics metrics = entry.lanes.metrics();
    metrics.batchSize.record(batch.size());
    metrics.batchTokens.record(padded);
    if (reply == null) {
      log.warn("inference batch of {} inputs failed on {}", batch.size(), entry.model.spec().ref(), failure);
      batch.forEach(item -> item.caller.fail(failure));
      return;
    }
    metrics.runTime.record(reply.body().runNanos(), TimeUnit.NANOSECONDS);
    entry.lanes.ran(batch.size(), reply.body().runNanos());
    List<O> rows = (List<O>) reply.body().rows();
    long now = System.nanoTime();
    for (int i = 0; i < batch.size(); i++) {
      QueuedItem<O> item = batch.get(i);
      metrics.items(item.lane).increment();
      metrics.itemTime(item.lane).record(now - item.caller.submittedNanos, TimeUnit.NANOSECONDS);
      item.caller.complete(item.index, rows.get(i));
    }
  }

  private void arm(long atNanos, long nowNanos) {
    if (atNanos == Long.MAX_VALUE || atNanos >= timerAt && timer >= 0) {
      return;
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    timerAt = atNanos;
    long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(atNanos - nowNanos + 999_999));
    timer = vertx.setTimer(delayMs, id -> {
      timer = -1;
      timerAt = Long.MAX_VALUE;
      pump();
    });
  }
}
