package io.ganglion.retrieval.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The retrieval pool's lanes: searches before ingestion work, and a thread always left for searches")
class RetrievalWorkersTest {

  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a search step submitted behind a queued bulk backlog runs before it")
  void interactiveFirst() throws Exception {
    RetrievalWorkers workers = new RetrievalWorkers(1, vertx.getOrCreateContext(), new SimpleMeterRegistry());
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    List<String> order = new CopyOnWriteArrayList<>();
    Future<Boolean> blocker = workers.runBulk(() -> {
      started.countDown();
      return release.await(30, TimeUnit.SECONDS);
    });
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
    List<Future<Boolean>> all = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String name = "bulk-" + i;
      all.add(workers.runBulk(() -> order.add(name)));
    }
    all.add(workers.run(() -> order.add("search")));
    assertThat(workers.queued()).isEqualTo(4);
    release.countDown();
    await(blocker);
    await(Future.all(all));

    assertThat(order).containsExactly("search", "bulk-0", "bulk-1", "bulk-2");
    workers.close();
  }

  @Test
  @DisplayName("bulk work holds at most half the threads: a search runs at once while the others are busy with ingestion")
  void threadKeptForSearches() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RetrievalWorkers workers = new RetrievalWorkers(4, vertx.getOrCreateContext(), meters);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(2);
    List<Future<Boolean>> bulk = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      bulk.add(workers.runBulk(() -> {
        started.countDown();
        return release.await(30, TimeUnit.SECONDS);
      }));
    }
    assertThat(started.await(30, TimeUnit.SECONDS)).as("two bulk tasks run").isTrue();

    assertThat(await(workers.run(() -> "searched"))).as("runs while the bulk tasks hold their threads")
      .isEqualTo("searched");
    assertThat(workers.queued()).as("the other bulk tasks still wait: two of the four threads are kept").isEqualTo(4);
    assertThat(meters.get("ganglion.retrieval.tasks.wait").tag("lane", "interactive").timer().count()).isEqualTo(1);
    release.countDown();
    await(Future.all(bulk));
    assertThat(workers.queued()).isZero();
    workers.close();
  }
}
