package io.ganglion.retrieval.impl;

import io.ganglion.bus.ErrorCode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Ingestion's embedding permits: backlog, expected wait and deadlines")
class EmbedPermitsTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final EmbedPermits permits = new EmbedPermits(2, meters);
  private final List<Promise<String>> running = new ArrayList<>();

  private Future<String> submit(int texts, long deadline) {
    return permits.run(texts, deadline, () -> {
      Promise<String> p = Promise.promise();
      running.add(p);
      return p.future();
    });
  }

  @Test
  @DisplayName("requests beyond the permits wait in order; the backlog counts the texts waiting or in flight")
  void backlog() {
    submit(64, Long.MAX_VALUE);
    submit(64, Long.MAX_VALUE);
    Future<String> third = submit(10, Long.MAX_VALUE);
    assertThat(running).hasSize(2);
    assertThat(permits.waiting()).isEqualTo(1);
    assertThat(permits.backlog()).isEqualTo(138);
    running.get(0).complete("a");
    assertThat(running).as("the waiting request started").hasSize(3);
    assertThat(permits.backlog()).isEqualTo(74);
    running.get(2).complete("c");
    assertThat(third.result()).isEqualTo("c");
    assertThat(meters.get("ganglion.retrieval.ingest.backlog.texts").gauge().value()).isEqualTo(64);
  }

  @Test
  @DisplayName("the expected wait is the backlog and the request's own texts at the measured time per text over the permits")
  void expectedWait() {
    AtomicLong clock = new AtomicLong();
    EmbedPermits timed = new EmbedPermits(2, new SimpleMeterRegistry(), clock::get);
    List<Promise<String>> mine = new ArrayList<>();
    java.util.function.IntConsumer submit = texts -> timed.run(texts, Long.MAX_VALUE, () -> {
      Promise<String> p = Promise.promise();
      mine.add(p);
      return p.future();
    });
    assertThat(timed.expectedWaitMillis(1_000)).as("nothing is refused on a guess").isZero();
    submit.accept(64);
    clock.set(640_000_000L); // 64 texts in 640 ms: 10 ms per text
    mine.get(0).complete("done");
    assertThat(timed.expectedWaitMillis(200)).as("200 own texts × 10 ms / 2 permits").isEqualTo(1_000);
    submit.accept(64);
    submit.accept(64);
    submit.accept(72);
    assertThat(timed.expectedWaitMillis(0)).as("200 texts ahead, two requests in flight and one waiting")
      .isEqualTo(1_000);
    assertThat(timed.expectedWaitMillis(100)).isEqualTo(1_500);
  }

  @Test
  @DisplayName("a request whose deadline passed while it waited never runs: it fails 5040, leaves the backlog and is counted")
  void expired() {
    submit(64, Long.MAX_VALUE);
    submit(64, Long.MAX_VALUE);
    long now = System.currentTimeMillis();
    Future<String> late = submit(30, now + 60_000);
    Future<String> job = submit(30, Long.MAX_VALUE);
    permits.dropExpired(now + 60_000);
    assertThat(late.failed()).isTrue();
    assertThat(ErrorCode.of(late.cause())).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(permits.backlog()).isEqualTo(158);
    running.get(0).complete("a");
    assertThat(running).as("the job, not the expired request, took the permit").hasSize(3);
    running.get(2).complete("job");
    assertThat(job.result()).isEqualTo("job");
    assertThat(meters.get("ganglion.retrieval.ingest.expired").counter().count()).isEqualTo(1);
  }

  @Test
  @DisplayName("a request already past its deadline when its turn comes is dropped then, and the next one starts")
  void expiredAtItsTurn() {
    submit(64, Long.MAX_VALUE);
    submit(64, Long.MAX_VALUE);
    Future<String> late = submit(30, System.currentTimeMillis() - 1);
    Future<String> next = submit(30, Long.MAX_VALUE);
    running.get(1).complete("b");
    assertThat(late.failed()).isTrue();
    assertThat(running).hasSize(3);
    running.get(2).complete("next");
    assertThat(next.result()).isEqualTo("next");
    assertThat(permits.waiting()).isZero();
  }
}
