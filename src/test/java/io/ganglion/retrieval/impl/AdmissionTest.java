package io.ganglion.retrieval.impl;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.Future;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

@DisplayName("Admission by deadline of searches and synchronous ingestions")
class AdmissionTest {

  @Test
  @DisplayName("a search whose queue wait would outlast its deadline is refused at once as overloaded (503)")
  void refusedPastTheDeadline() {
    ReplyException refused = catchThrowableOfType(ReplyException.class,
      () -> Admission.search(3_000, 12_000, 10_000));
    assertThat(refused.failureCode()).isEqualTo(ErrorCode.OVERLOADED.code());
    assertThat(refused.getMessage()).contains("3000 ms", "2000 ms left");
  }

  @Test
  @DisplayName("a search that can start before its deadline, or carries none, is admitted")
  void admitted() {
    assertThatCode(() -> Admission.search(1_999, 12_000, 10_000)).doesNotThrowAnyException();
    assertThatCode(() -> Admission.search(2_000, 12_000, 10_000)).doesNotThrowAnyException();
    assertThatCode(() -> Admission.search(60_000, Long.MAX_VALUE, 10_000)).doesNotThrowAnyException();
  }

  @Test
  @DisplayName("a search already past its deadline is refused even with an empty queue ahead")
  void alreadyLate() {
    assertThat(catchThrowableOfType(ReplyException.class, () -> Admission.search(0, 9_000, 10_000)).failureCode())
      .isEqualTo(ErrorCode.OVERLOADED.code());
  }

  @Test
  @DisplayName("the expected wait is the queued tasks at the smoothed task time over the threads, and 0 before any task ran")
  void queueWait() {
    QueueWait wait = new QueueWait(2);
    assertThat(wait.expectedWaitMillis(100)).isZero();
    wait.ran(10_000_000); // 10 ms
    assertThat(wait.expectedWaitMillis(8)).isEqualTo(40);
    wait.ran(60_000_000); // smoothed: 10 + 0.2 × 50 = 20 ms
    assertThat(wait.expectedWaitMillis(8)).isEqualTo(80);
    assertThat(wait.expectedWaitMillis(0)).isZero();
  }

  @Test
  @DisplayName("the retrieval pool counts the tasks queued behind its busy threads, and none once they ran")
  void poolQueue() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Vertx vertx = Vertx.vertx();
    try {
      RetrievalWorkers workers = new RetrievalWorkers(1, vertx.getOrCreateContext(), new SimpleMeterRegistry());
      CountDownLatch started = new CountDownLatch(1);
      workers.run(() -> {
        started.countDown();
        return release.await(30, TimeUnit.SECONDS);
      });
      assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
      List<Future<Integer>> queued = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        queued.add(workers.run(() -> 1));
      }
      assertThat(workers.queued()).isEqualTo(5);
      release.countDown();
      Future.all(queued).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(workers.queued()).isZero();
      workers.close();
    } finally {
      vertx.close();
    }
  }
  @Test
  @DisplayName("an ingestion that would be embedded after its deadline is refused as overloaded, naming the wait, the time left and the job alternative")
  void ingestRefused() {
    ReplyException refused = catchThrowableOfType(ReplyException.class, () -> Admission.ingest(31_000, 40_000, 10_000));
    assertThat(refused.failureCode()).isEqualTo(ErrorCode.OVERLOADED.code());
    assertThat(refused.getMessage()).contains("31000 ms", "30000 ms are left", "Prefer: respond-async");
    assertThat(catchThrowableOfType(ReplyException.class, () -> Admission.ingest(0, 9_000, 10_000)).getMessage())
      .as("already late").contains("0 ms are left");
  }

  @Test
  @DisplayName("an ingestion that fits before its deadline, or has none (a job), is admitted whatever the backlog")
  void ingestAdmitted() {
    assertThatCode(() -> Admission.ingest(30_000, 40_000, 10_000)).doesNotThrowAnyException();
    assertThatCode(() -> Admission.ingest(Long.MAX_VALUE / 2, Long.MAX_VALUE, 10_000)).doesNotThrowAnyException();
  }

  @Test
  @DisplayName("a weighted sample counts per item: a request of 64 texts that took 640 ms is 10 ms per text")
  void weightedWait() {
    QueueWait wait = new QueueWait(4);
    wait.ran(640_000_000L, 64);
    assertThat(wait.expectedWaitMillis(400)).as("400 texts × 10 ms / 4 permits").isEqualTo(1_000);
    wait.ran(0, 64);
    wait.ran(1_000_000L, 0);
    assertThat(wait.expectedWaitMillis(400)).as("empty samples are ignored").isEqualTo(1_000);
  }

  @Test
  @DisplayName("a task whose deadline passed while it was queued is dropped unrun with 5040 and counted; one without a deadline runs")
  void expiredTaskDropped() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Vertx vertx = Vertx.vertx();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try {
      RetrievalWorkers workers = new RetrievalWorkers(1, vertx.getOrCreateContext(), meters);
      CountDownLatch started = new CountDownLatch(1);
      workers.run(() -> {
        started.countDown();
        return release.await(30, TimeUnit.SECONDS);
      });
      assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
      java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
      long deadline = System.currentTimeMillis() + 20;
      Future<Integer> late = workers.run(ran::incrementAndGet, deadline);
      Future<Integer> patient = workers.run(ran::incrementAndGet);
      await().atMost(java.time.Duration.ofSeconds(10)).until(() -> System.currentTimeMillis() > deadline);
      release.countDown();
      Throwable dropped = catchThrowableOfType(java.util.concurrent.ExecutionException.class,
        () -> late.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)).getCause();
      assertThat(patient.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(ErrorCode.of(dropped)).isEqualTo(ErrorCode.TIMEOUT);
      assertThat(ran).as("only the task without a deadline ran").hasValue(1);
      assertThat(meters.get("ganglion.retrieval.tasks.expired").counter().count()).isEqualTo(1);
      workers.close();
    } finally {
      vertx.close();
    }
  }
}
