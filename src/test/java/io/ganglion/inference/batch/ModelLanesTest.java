package io.ganglion.inference.batch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.Encoding;
import io.ganglion.bus.ErrorCode;
import io.ganglion.inference.Lane;
import io.ganglion.inference.onnx.KnownModels;
import io.ganglion.inference.onnx.TokenEncoder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A model's lanes and how batches are cut from them")
class ModelLanesTest {

  static TokenEncoder tokens;
  static final long FAR = Long.MAX_VALUE;

  @BeforeAll
  static void load() throws Exception {
    tokens = TokenEncoder.load(KnownModels.named(KnownModels.BGE_SMALL_EN_V15).orElseThrow().source(), 512);
  }

  @AfterAll
  static void close() {
    tokens.close();
  }

  /** maxBatch 8, 8 x 64 tokens, no waiting, lanes of 64, bulk batches of 4 x 64 tokens, a quarter kept for bulk. */
  static BatchPolicy policy() {
    return new BatchPolicy(8, 8 * 64, Duration.ZERO, 64, 64, 4 * 64, 0.25, 2);
  }

  static ModelLanes<String> lanes(BatchPolicy policy) {
    return new ModelLanes<>("m@1", policy, new SimpleMeterRegistry());
  }

  /** {@code n} texts of about {@code words} words each, seeded. */
  static List<Encoding> texts(int n, int words, long seed) {
    Random random = new Random(seed);
    List<Encoding> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder();
      for (int w = 0; w < words; w++) {
        sb.append("w").append(random.nextInt(50)).append(' ');
      }
      out.add(tokens.encode(sb.toString()));
    }
    return out;
  }

  static CallerRows<String> submit(ModelLanes<String> lanes, Lane lane, List<Encoding> encodings, long deadline) {
    assertThat(lanes.reserve(lane, encodings.size(), deadline).succeeded()).isTrue();
    CallerRows<String> caller = new CallerRows<>(encodings.size(), io.opentelemetry.api.trace.SpanContext.getInvalid());
    lanes.enqueue(caller, encodings, lane, deadline);
    return caller;
  }

  static List<QueuedItem<String>> cut(ModelLanes<String> lanes) {
    return lanes.cut(System.nanoTime(), System.currentTimeMillis());
  }

  @Test
  @DisplayName("interactive items overtake a queued bulk backlog, which keeps its minimum share of every batch")
  void interactiveFirstBulkNotStarved() {
    ModelLanes<String> lanes = lanes(policy());
    CallerRows<String> backlog = submit(lanes, Lane.BULK, texts(40, 5, 1), FAR);
    CallerRows<String> query = submit(lanes, Lane.INTERACTIVE, texts(10, 5, 2), FAR);

    List<QueuedItem<String>> first = cut(lanes);
    assertThat(first).hasSize(8);
    assertThat(first).filteredOn(item -> item.caller == query).hasSize(6);
    assertThat(first).filteredOn(item -> item.caller == backlog).hasSize(2);
    List<QueuedItem<String>> second = cut(lanes);
    assertThat(second).filteredOn(item -> item.caller == query).hasSize(4);
    assertThat(second).filteredOn(item -> item.caller == backlog).hasSize(4);
    // bulk alone: held to the bulk token budget (4 x 64), not the interactive one
    List<QueuedItem<String>> bulkOnly = cut(lanes);
    long padded = (long) bulkOnly.size() * bulkOnly.stream().mapToInt(i -> i.length).max().orElseThrow();
    assertThat(padded).isLessThanOrEqualTo(4 * 64);
    assertThat(bulkOnly).allMatch(item -> item.lane == Lane.BULK);
  }

  @Test
  @DisplayName("bulk fills a query's batch only up to the bulk token budget, never to the interactive one")
  void bulkFillHeldToBulkBudget() {
    ModelLanes<String> lanes = lanes(policy());
    CallerRows<String> backlog = submit(lanes, Lane.BULK, texts(20, 25, 5), FAR);
    CallerRows<String> query = submit(lanes, Lane.INTERACTIVE, texts(1, 5, 6), FAR);

    List<QueuedItem<String>> batch = cut(lanes);
    assertThat(batch).filteredOn(item -> item.caller == query).hasSize(1);
    assertThat(batch).filteredOn(item -> item.caller == backlog).isNotEmpty();
    long padded = (long) batch.size() * batch.stream().mapToInt(i -> i.length).max().orElseThrow();
    assertThat(padded).as("padded tokens of the query's batch").isLessThanOrEqualTo(4 * 64);
  }

  @Test
  @DisplayName("a cut for the worker kept for queries takes interactive items only, unpadded by bulk, and leaves bulk's turn count alone")
  void interactiveOnlyCut() {
    ModelLanes<String> lanes = lanes(policy());
    CallerRows<String> backlog = submit(lanes, Lane.BULK, texts(20, 5, 9), FAR);
    CallerRows<String> query = submit(lanes, Lane.INTERACTIVE, texts(3, 5, 10), FAR);

    long now = System.nanoTime();
    assertThat(lanes.nextCutNanos(now, Lane.INTERACTIVE)).as("interactive items wait for maxWait (0 here)").isEqualTo(now);
    List<QueuedItem<String>> batch = lanes.cutInteractive(now, System.currentTimeMillis());
    assertThat(batch).hasSize(3).allMatch(item -> item.caller == query);
    assertThat(lanes.depth(Lane.BULK)).isEqualTo(20);
    assertThat(lanes.nextCutNanos(System.nanoTime(), Lane.INTERACTIVE)).as("no interactive item left").isEqualTo(Long.MAX_VALUE);
    assertThat(lanes.cutInteractive(System.nanoTime(), System.currentTimeMillis())).isEmpty();
    assertThat(cut(lanes)).as("the shared worker's next cut is bulk's").isNotEmpty()
      .allMatch(item -> item.caller == backlog);
  }

  @Test
  @DisplayName("a bulk-only cut, for a shared worker while the one kept for queries is idle, leaves the queries queued and is held to the bulk budget")
  void bulkOnlyCut() {
    ModelLanes<String> lanes = lanes(policy());
    CallerRows<String> backlog = submit(lanes, Lane.BULK, texts(20, 25, 11), FAR);
    CallerRows<String> query = submit(lanes, Lane.INTERACTIVE, texts(1, 5, 12), FAR);

    long now = System.nanoTime();
    assertThat(lanes.nextCutNanos(now, Lane.BULK)).isEqualTo(now);
    List<QueuedItem<String>> batch = lanes.cutBulk(now, System.currentTimeMillis());
    assertThat(batch).isNotEmpty().allMatch(item -> item.caller == backlog);
    long padded = (long) batch.size() * batch.stream().mapToInt(i -> i.length).max().orElseThrow();
    assertThat(padded).isLessThanOrEqualTo(4 * 64);
    assertThat(lanes.cutInteractive(System.nanoTime(), System.currentTimeMillis())).singleElement()
      .satisfies(item -> assertThat(item.caller).isSameAs(query));
  }

  @Test
  @DisplayName("when long interactive items leave bulk no room, every fourth batch (bulkMinShare 0.25) is bulk's alone")
  void bulkTakesItsTurnUnderLongInteractiveLoad() {
    ModelLanes<String> lanes = lanes(policy());
    CallerRows<String> backlog = submit(lanes, Lane.BULK, texts(10, 25, 7), FAR);
    submit(lanes, Lane.INTERACTIVE, texts(40, 25, 8), FAR);

    List<List<QueuedItem<String>>> batches = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      batches.add(cut(lanes));
    }
    for (int i = 0; i < 8; i++) {
      boolean bulkTurn = i % 4 == 3;
      assertThat(batches.get(i)).as("batch " + i).isNotEmpty()
        .allMatch(item -> (item.caller == backlog) == bulkTurn);
    }
  }

  @Test
  @DisplayName("one caller's many inputs do not hold back another caller's single query")
  void roundsInterleaveCallers() {
    ModelLanes<String> lanes = lanes(policy());
    CallerRows<String> big = submit(lanes, Lane.INTERACTIVE, texts(40, 5, 3), FAR);
    cut(lanes);
    CallerRows<String> single = submit(lanes, Lane.INTERACTIVE, texts(1, 5, 4), FAR);

    assertThat(cut(lanes)).anyMatch(item -> item.caller == single);
    assertThat(big.abandoned()).isFalse();
  }

  @Test
  @DisplayName("an interactive request that would wait behind admitted inputs past its deadline is refused at once with 5030; bulk is not")
  void refusesWhatCannotMeetItsDeadline() {
    ModelLanes<String> lanes = lanes(policy());
    assertThat(lanes.expectedWaitMillis()).as("no guess before a batch ran").isZero();
    lanes.ran(8, 80_000_000L); // 10 ms per input
    submit(lanes, Lane.INTERACTIVE, texts(40, 5, 7), FAR);
    assertThat(lanes.expectedWaitMillis()).isEqualTo(400);
    long now = System.currentTimeMillis();

    Future<Void> hopeless = lanes.reserve(Lane.INTERACTIVE, 1, now + 300);
    Future<Void> bulk = lanes.reserve(Lane.BULK, 1, now + 300);
    lanes.workers(4);
    Future<Void> spread = lanes.reserve(Lane.INTERACTIVE, 1, now + 300);

    assertThat(hopeless.failed()).isTrue();
    assertThat(ErrorCode.of(hopeless.cause())).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(hopeless.cause()).hasMessageContaining("40 inputs wait ahead");
    assertThat(bulk.succeeded()).as("bulk waits instead").isTrue();
    assertThat(spread.succeeded()).as("four workers: about 100 ms").isTrue();
  }

  @Test
  @DisplayName("items whose deadline passed are dropped before a batch is cut, failing 5040, and free their room")
  void expiredDropped() {
    ModelLanes<String> lanes = lanes(policy());
    long soon = System.currentTimeMillis() + 50;
    CallerRows<String> late = submit(lanes, Lane.INTERACTIVE, texts(60, 5, 5), soon);
    CallerRows<String> live = submit(lanes, Lane.INTERACTIVE, texts(4, 5, 6), FAR);

    List<QueuedItem<String>> batch = lanes.cut(System.nanoTime(), soon + 1);

    assertThat(batch).allMatch(item -> item.caller == live).hasSize(4);
    assertThat(late.future().failed()).isTrue();
    assertThat(ErrorCode.of(late.future().cause())).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(lanes.depth(Lane.INTERACTIVE)).isZero();
    assertThat(lanes.reserve(Lane.INTERACTIVE, 64, FAR).succeeded()).as("the lane's room is back").isTrue();
  }

  @Test
  @DisplayName("a full interactive lane refuses at once; a full bulk lane makes the request wait until a cut frees room")
  void interactiveRefusedBulkWaits() {
    ModelLanes<String> lanes = lanes(policy());
    submit(lanes, Lane.INTERACTIVE, texts(64, 3, 7), FAR);
    Future<Void> refused = lanes.reserve(Lane.INTERACTIVE, 1, FAR);
    assertThat(refused.failed()).isTrue();
    assertThat(refused.cause()).isInstanceOf(QueueFullException.class);

    submit(lanes, Lane.BULK, texts(64, 3, 8), FAR);
    Future<Void> waiting = lanes.reserve(Lane.BULK, 8, FAR);
    assertThat(waiting.isComplete()).isFalse();
    assertThat(lanes.parked()).isEqualTo(1);
    while (!waiting.isComplete()) {
      assertThat(cut(lanes)).isNotEmpty();
    }
    assertThat(waiting.succeeded()).isTrue();
    assertThat(lanes.reserve(Lane.BULK, 65, FAR).cause()).isInstanceOf(OversizedRequestException.class);
  }

  @Test
  @DisplayName("a batch is anchored at the lane's first item and filled with inputs close to it in length")
  void lengthSorted() {
    ModelLanes<String> lanes = lanes(new BatchPolicy(4, 4 * 512, Duration.ZERO, 64, 64, 4 * 512, 0, 2));
    List<Encoding> mixed = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      mixed.addAll(texts(1, i % 2 == 0 ? 4 : 60, 10 + i));
    }
    submit(lanes, Lane.INTERACTIVE, mixed, FAR);

    List<QueuedItem<String>> batch = cut(lanes);
    assertThat(batch.get(0).index).isZero();
    assertThat(batch).allMatch(item -> item.index % 2 == 0);
  }

  @Test
  @DisplayName("a batch is due when full, or when its oldest item has waited maxWait")
  void dueWhenFullOrOld() {
    ModelLanes<String> lanes = lanes(new BatchPolicy(8, 8 * 64, Duration.ofMillis(5), 64, 64, 4 * 64, 0.25, 2));
    long now = System.nanoTime();
    assertThat(lanes.nextCutNanos(now)).isEqualTo(Long.MAX_VALUE);
    submit(lanes, Lane.INTERACTIVE, texts(1, 3, 20), FAR);
    submit(lanes, Lane.INTERACTIVE, texts(1, 3, 22), FAR);
    long due = lanes.nextCutNanos(System.nanoTime());
    assertThat(due).as("two callers' items wait for more").isGreaterThan(now);
    submit(lanes, Lane.BULK, texts(6, 3, 21), FAR);
    long full = System.nanoTime();
    assertThat(lanes.nextCutNanos(full)).isEqualTo(full);
  }

  @Test
  @DisplayName("a lone interactive request is due at once, without waiting maxWait for others that are not coming")
  void loneInteractiveCutAtOnce() {
    ModelLanes<String> lanes = lanes(new BatchPolicy(8, 8 * 64, Duration.ofSeconds(60), 64, 64, 4 * 64, 0.25, 2));
    submit(lanes, Lane.INTERACTIVE, texts(3, 3, 30), FAR);
    long now = System.nanoTime();
    assertThat(lanes.nextCutNanos(now)).as("one request's inputs, nothing else queued").isEqualTo(now);
    assertThat(lanes.nextCutNanos(now, Lane.INTERACTIVE)).isEqualTo(now);
    assertThat(cut(lanes)).hasSize(3);
  }

  @Test
  @DisplayName("a lone interactive request still waits maxWait while another caller's inputs are queued or being tokenized, or bulk waits beside it")
  void notLoneWaits() {
    BatchPolicy policy = new BatchPolicy(8, 8 * 64, Duration.ofSeconds(60), 64, 64, 4 * 64, 0.25, 2);
    ModelLanes<String> tokenizing = lanes(policy);
    submit(tokenizing, Lane.INTERACTIVE, texts(1, 3, 31), FAR);
    // admitted, still being tokenized: it will join the batch within a moment
    assertThat(tokenizing.reserve(Lane.INTERACTIVE, 1, FAR).succeeded()).isTrue();
    long now = System.nanoTime();
    assertThat(tokenizing.nextCutNanos(now)).isGreaterThan(now);

    ModelLanes<String> withBulk = lanes(policy);
    submit(withBulk, Lane.INTERACTIVE, texts(1, 3, 32), FAR);
    submit(withBulk, Lane.BULK, texts(1, 3, 33), FAR);
    now = System.nanoTime();
    assertThat(withBulk.nextCutNanos(now)).as("a mixed batch may still fill").isGreaterThan(now);
    assertThat(withBulk.nextCutNanos(now, Lane.INTERACTIVE)).as("the query alone, beside bulk").isEqualTo(now);
    assertThat(withBulk.nextCutNanos(now, Lane.BULK)).as("bulk waits for more bulk").isGreaterThan(now);
  }
}
