package io.ganglion.retrieval.impl;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.Future;
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

@DisplayName("Admission of a search into retrieval's queue")
class SearchAdmissionTest {

  @Test
  @DisplayName("a search whose queue wait would outlast its deadline is refused at once as overloaded (503)")
  void refusedPastTheDeadline() {
    ReplyException refused = catchThrowableOfType(ReplyException.class,
      () -> SearchAdmission.check(3_000, 12_000, 10_000));
    assertThat(refused.failureCode()).isEqualTo(ErrorCode.OVERLOADED.code());
    assertThat(refused.getMessage()).contains("3000 ms", "2000 ms left");
  }

  @Test
  @DisplayName("a search that can start before its deadline, or carries none, is admitted")
  void admitted() {
    assertThatCode(() -> SearchAdmission.check(1_999, 12_000, 10_000)).doesNotThrowAnyException();
    assertThatCode(() -> SearchAdmission.check(2_000, 12_000, 10_000)).doesNotThrowAnyException();
    assertThatCode(() -> SearchAdmission.check(60_000, Long.MAX_VALUE, 10_000)).doesNotThrowAnyException();
  }

  @Test
  @DisplayName("a search already past its deadline is refused even with an empty queue ahead")
  void alreadyLate() {
    assertThat(catchThrowableOfType(ReplyException.class, () -> SearchAdmission.check(0, 9_000, 10_000)).failureCode())
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
      RetrievalWorkers workers = new RetrievalWorkers(1, vertx.getOrCreateContext());
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
}
