package io.ganglion.inference.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("MicroBatcher")
class MicroBatcherTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final EchoRunner runner = new EchoRunner();
  private MicroBatcher<String, String, String> batcher;

  @AfterEach
  void close() {
    if (batcher != null) {
      batcher.close();
    }
  }

  private MicroBatcher<String, String, String> start(int maxBatch, int maxTokens, long waitMs, int capacity,
    int workers) {
    batcher = new MicroBatcher<>("echo", runner, new BatchPolicy(maxBatch, maxTokens, Duration.ofMillis(waitMs),
      capacity, workers), meters);
    return batcher;
  }

  @Test
  @DisplayName("gives every concurrent caller exactly its own rows, in order, none lost or duplicated")
  void concurrentCallersGetTheirOwnRows() throws Exception {
    start(8, 10_000, 5, 10_000, 2);
    record Submitted(List<String> texts, CompletableFuture<List<String>> rows) {
    }
    List<Submitted> submitted = new CopyOnWriteArrayList<>();
    List<Thread> submitters = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Random random = new Random(1000 + t);
      int thread = t;
      submitters.add(Thread.ofPlatform().start(() -> {
        for (int r = 0; r < 25; r++) {
          List<String> texts = new ArrayList<>();
          int size = 1 + random.nextInt(12);
          for (int i = 0; i < size; i++) {
            texts.add("t" + thread + "r" + r + "i" + i + "x".repeat(random.nextInt(40)));
          }
          submitted.add(new Submitted(texts, batcher.submit(texts)));
          sleepMicros(random.nextInt(3000));
        }
      }));
    }
    for (Thread s : submitters) {
      s.join();
    }

    int total = 0;
    for (Submitted s : submitted) {
      assertThat(s.rows().get(10, TimeUnit.SECONDS)).isEqualTo(s.texts().stream().map(EchoRunner::echo).toList());
      total += s.texts().size();
    }
    assertThat(submitted).hasSize(8 * 25);
    assertThat(runner.seen).hasSize(total).allSatisfy((text, count) -> assertThat(count.get()).isEqualTo(1));
    assertThat(runner.batchSizes).allSatisfy(size -> assertThat(size).isBetween(1, 8));
    assertThat(runner.batchSizes.stream().mapToInt(Integer::intValue).max().orElse(0)).isGreaterThan(1);
    assertThat(meters.get("ganglion.inference.items").counter().count()).isEqualTo(total);
    assertThat(meters.get("ganglion.inference.batch.size").summary().count()).isEqualTo(runner.batchSizes.size());
  }

  @Test
  @DisplayName("splits a request larger than a batch over several batches and reassembles it in order")
  void splitsLargeRequests() throws Exception {
    start(4, 10_000, 20, 100, 1);
    Random random = new Random(7);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      texts.add(i + "y".repeat(random.nextInt(30)));
    }

    List<String> rows = batcher.submit(texts).get(5, TimeUnit.SECONDS);

    assertThat(rows).isEqualTo(texts.stream().map(EchoRunner::echo).toList());
    assertThat(runner.batchSizes).containsExactly(4, 4, 2);
  }

  @Test
  @DisplayName("sorts a window by length so each batch holds inputs of similar length")
  void sortsByLength() throws Exception {
    runner.gate = new CountDownLatch(1);
    start(2, 10_000, 20, 100, 1);
    // hold the worker in a first batch so the four inputs are all queued when it next plans (a submission becomes
    // visible item by item, so without this the worker may plan while only two have arrived)
    CompletableFuture<List<String>> blocker = batcher.submit(List.of("x"));
    assertThat(runner.entered.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<List<String>> rows = batcher.submit(List.of("a".repeat(50), "b", "c".repeat(49), "d".repeat(2)));
    runner.gate.countDown();
    blocker.get(5, TimeUnit.SECONDS);
    rows.get(5, TimeUnit.SECONDS);

    assertThat(runner.batches).containsExactly(List.of("x"), List.of("b", "dd"), List.of("c".repeat(49), "a".repeat(50)));
  }

  @Test
  @DisplayName("runs a partial batch once its oldest input has waited maxWaitMs, not before")
  void flushesOnTimeout() throws Exception {
    start(16, 10_000, 150, 100, 1);

    long start = System.nanoTime();
    List<String> rows = batcher.submit(List.of("one", "two", "three")).get(5, TimeUnit.SECONDS);
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(rows).containsExactly("ONE", "TWO", "THREE");
    assertThat(elapsedMs).isGreaterThanOrEqualTo(140);
    assertThat(runner.batchSizes).containsExactly(3);
  }

  @Test
  @DisplayName("runs a full batch at once without waiting for maxWaitMs")
  void fullBatchRunsAtOnce() throws Exception {
    start(4, 10_000, 60_000, 100, 1);

    List<String> rows = batcher.submit(List.of("a", "b", "c", "d")).get(5, TimeUnit.SECONDS);

    assertThat(rows).containsExactly("A", "B", "C", "D");
  }

  @Test
  @DisplayName("cuts batches at maxBatchTokens padded tokens")
  void tokenBudget() throws Exception {
    start(32, 100, 20, 100, 1);

    batcher.submit(Collections.nCopies(7, "z".repeat(30))).get(5, TimeUnit.SECONDS);

    assertThat(runner.batchSizes).containsExactlyInAnyOrder(3, 3, 1);
    assertThat(meters.get("ganglion.inference.batch.tokens").summary().max()).isLessThanOrEqualTo(100);
  }

  @Test
  @DisplayName("fails fast with QueueFullException when the queue has no room for the whole request")
  void rejectsWhenFull() throws Exception {
    runner.gate = new CountDownLatch(1);
    start(1, 10_000, 0, 5, 1);
    CompletableFuture<List<String>> running = batcher.submit(List.of("first"));
    assertThat(runner.entered.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<List<String>> queued = batcher.submit(List.of("a", "b", "c", "d"));

    CompletableFuture<List<String>> refused = batcher.submit(List.of("e", "f"));

    assertThat(refused).isCompletedExceptionally();
    assertThatThrownBy(refused::join).hasCauseInstanceOf(QueueFullException.class);
    assertThat(batcher.queueDepth()).isEqualTo(4);
    assertThat(meters.get("ganglion.inference.rejected").counter().count()).isEqualTo(1);
    assertThat(meters.get("ganglion.inference.queue.depth").gauge().value()).isEqualTo(4);
    runner.gate.countDown();
    assertThat(running.get(5, TimeUnit.SECONDS)).containsExactly("FIRST");
    assertThat(queued.get(5, TimeUnit.SECONDS)).containsExactly("A", "B", "C", "D");
    assertThat(batcher.submit(List.of("g")).get(5, TimeUnit.SECONDS)).containsExactly("G");
  }

  @Test
  @DisplayName("refuses a request larger than the whole queue as invalid, not as overload")
  void rejectsOversizedRequest() {
    start(4, 10_000, 0, 3, 1);

    assertThatThrownBy(() -> batcher.submit(List.of("a", "b", "c", "d")).join())
      .hasCauseInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("with maxBatch=1 runs every input alone")
  void maxBatchOneDisablesBatching() throws Exception {
    start(1, 10_000, 50, 100, 1);

    List<CompletableFuture<List<String>>> futures = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      futures.add(batcher.submit(List.of("p" + i, "q" + i)));
    }

    for (int i = 0; i < 5; i++) {
      assertThat(futures.get(i).get(5, TimeUnit.SECONDS)).containsExactly("P" + i, "Q" + i);
    }
    assertThat(runner.batchSizes).hasSize(10).containsOnly(1);
  }

  @Test
  @DisplayName("fails only the caller whose input cannot be prepared, and every caller of a failed batch")
  void failuresStayWithTheirCallers() throws Exception {
    start(8, 10_000, 30, 100, 1);

    CompletableFuture<List<String>> bad = batcher.submit(List.of("ok", "unpreparable"));
    CompletableFuture<List<String>> good = batcher.submit(List.of("fine"));

    assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
      .hasMessageContaining("cannot prepare");
    assertThat(good.get(5, TimeUnit.SECONDS)).containsExactly("FINE");

    CompletableFuture<List<String>> crashing = batcher.submit(List.of("crash"));
    assertThatThrownBy(() -> crashing.get(5, TimeUnit.SECONDS)).hasMessageContaining("model crashed");
    assertThat(batcher.submit(List.of("after")).get(5, TimeUnit.SECONDS)).containsExactly("AFTER");
  }

  @Test
  @DisplayName("skips the inputs of a caller who cancelled before they ran")
  void skipsCancelledCallers() throws Exception {
    runner.gate = new CountDownLatch(1);
    start(1, 10_000, 0, 100, 1);
    CompletableFuture<List<String>> running = batcher.submit(List.of("first"));
    assertThat(runner.entered.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<List<String>> cancelled = batcher.submit(List.of("gone1", "gone2"));
    CompletableFuture<List<String>> kept = batcher.submit(List.of("kept"));

    cancelled.cancel(false);
    runner.gate.countDown();

    assertThat(kept.get(5, TimeUnit.SECONDS)).containsExactly("KEPT");
    assertThat(running.get(5, TimeUnit.SECONDS)).containsExactly("FIRST");
    assertThat(runner.seen).doesNotContainKeys("gone1", "gone2");
  }

  @Test
  @DisplayName("on close fails queued inputs, finishes the running batch, joins its threads and refuses new work")
  void closesCleanly() throws Exception {
    runner.gate = new CountDownLatch(1);
    start(1, 10_000, 0, 100, 1);
    CompletableFuture<List<String>> running = batcher.submit(List.of("first"));
    assertThat(runner.entered.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<List<String>> pending = batcher.submit(List.of("a", "b"));

    Thread closer = Thread.ofPlatform().start(batcher::close);
    assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(BatcherClosedException.class);
    runner.gate.countDown();
    closer.join(5_000);

    assertThat(closer.isAlive()).isFalse();
    assertThat(running.get(5, TimeUnit.SECONDS)).containsExactly("FIRST");
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("ganglion-inference-echo"));
    assertThatThrownBy(() -> batcher.submit(List.of("late")).join()).hasCauseInstanceOf(BatcherClosedException.class);
    assertThat(meters.find("ganglion.inference.items").counter()).isNull();
  }

  private static void sleepMicros(long micros) {
    try {
      TimeUnit.MICROSECONDS.sleep(micros);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Upper-cases; length is the text's length; records what ran in which batch. */
  static final class EchoRunner implements BatchRunner<String, String, String> {

    final ConcurrentHashMap<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    final List<List<String>> batches = new CopyOnWriteArrayList<>();
    final CountDownLatch entered = new CountDownLatch(1);
    volatile CountDownLatch gate;

    static String echo(String text) {
      return text.toUpperCase();
    }

    @Override
    public String prepare(String input) {
      if (input.equals("unpreparable")) {
        throw new IllegalArgumentException("cannot prepare " + input);
      }
      return input;
    }

    @Override
    public int length(String prepared) {
      return prepared.length();
    }

    @Override
    public List<String> run(List<String> batch) throws Exception {
      entered.countDown();
      CountDownLatch g = gate;
      if (g != null) {
        g.await(10, TimeUnit.SECONDS);
      }
      if (batch.contains("crash")) {
        throw new IllegalStateException("model crashed");
      }
      batch.forEach(text -> seen.computeIfAbsent(text, k -> new AtomicInteger()).incrementAndGet());
      batchSizes.add(batch.size());
      batches.add(List.copyOf(batch));
      return batch.stream().map(EchoRunner::echo).toList();
    }
  }
}
