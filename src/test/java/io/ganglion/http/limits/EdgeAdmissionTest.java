package io.ganglion.http.limits;

import io.ganglion.config.ConfigException;
import io.ganglion.config.HttpConfig;
import io.ganglion.http.limits.EdgeAdmission.Kind;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Edge admission: requests in flight per class")
class EdgeAdmissionTest {

  private static EdgeAdmission admission(int asks, int searches, int ingestions, int embeddings) {
    return new EdgeAdmission(Map.of(Kind.ASK, asks, Kind.SEARCH, searches, Kind.INGEST, ingestions, Kind.EMBED, embeddings));
  }

  @Test
  @DisplayName("a class admits up to its limit, refuses the next, and admits again once one is released")
  void upToTheLimit() {
    EdgeAdmission admission = admission(2, 3, 1, 1);
    assertThat(admission.tryAcquire(Kind.ASK)).isTrue();
    assertThat(admission.tryAcquire(Kind.ASK)).isTrue();
    assertThat(admission.tryAcquire(Kind.ASK)).isFalse();
    assertThat(admission.inFlight(Kind.ASK)).isEqualTo(2);
    admission.release(Kind.ASK);
    assertThat(admission.tryAcquire(Kind.ASK)).isTrue();
    assertThat(admission.tryAcquire(Kind.ASK)).isFalse();
  }

  @Test
  @DisplayName("classes are counted apart: full asks do not refuse a search")
  void classesApart() {
    EdgeAdmission admission = admission(1, 1, 1, 1);
    assertThat(admission.tryAcquire(Kind.ASK)).isTrue();
    assertThat(admission.tryAcquire(Kind.ASK)).isFalse();
    assertThat(admission.tryAcquire(Kind.SEARCH)).isTrue();
    assertThat(admission.tryAcquire(Kind.INGEST)).isTrue();
    assertThat(admission.tryAcquire(Kind.EMBED)).isTrue();
    assertThat(admission.tryAcquire(Kind.EMBED)).isFalse();
  }

  @Test
  @DisplayName("threads racing for places never hold more than the limit, and every place comes back")
  void racingThreads() throws InterruptedException {
    EdgeAdmission admission = admission(5, 1, 1, 1);
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 20_000; i++) {
          if (admission.tryAcquire(Kind.ASK)) {
            most.accumulateAndGet(holding.incrementAndGet(), Math::max);
            holding.decrementAndGet();
            admission.release(Kind.ASK);
          } else {
            refused.incrementAndGet();
          }
        }
      }));
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(most.get()).isBetween(1, 5);
    assertThat(admission.inFlight(Kind.ASK)).isZero();
  }

  @Test
  @DisplayName("searches, ingestions and embeddings are classed by route; asks, reads and other posts are not")
  void classes() {
    assertThat(EdgeAdmission.classify(HttpMethod.POST, "/v1/kbs/handbook/search")).isEqualTo(Kind.SEARCH);
    assertThat(EdgeAdmission.classify(HttpMethod.POST, "/v1/kbs/handbook/documents")).isEqualTo(Kind.INGEST);
    assertThat(EdgeAdmission.classify(HttpMethod.POST, "/v1/embeddings")).isEqualTo(Kind.EMBED);
    assertThat(EdgeAdmission.classify(HttpMethod.POST, "/v1/kbs/handbook/ask")).isNull();
    assertThat(EdgeAdmission.classify(HttpMethod.POST, "/v1/chat/completions")).isNull();
    assertThat(EdgeAdmission.classify(HttpMethod.GET, "/v1/kbs/handbook/documents")).isNull();
    assertThat(EdgeAdmission.classify(HttpMethod.POST, "/v1/kbs")).isNull();
    assertThat(EdgeAdmission.classify(HttpMethod.POST, "/v1/kbs//search")).isNull();
    assertThat(EdgeAdmission.classify(HttpMethod.POST, "/v1/kbs/a/documents/x")).isNull();
  }

  @Test
  @DisplayName("http.inFlight limits default to a multiple of the cores, take configured values, and reject negatives naming the key")
  void configuration() {
    int cores = Runtime.getRuntime().availableProcessors();
    HttpConfig.InFlight defaults = HttpConfig.from(new JsonObject()).inFlight();
    assertThat(defaults).isEqualTo(new HttpConfig.InFlight(8 * cores, 16 * cores, 4 * cores, 32 * cores));
    HttpConfig.InFlight set = HttpConfig.from(new JsonObject().put("inFlight", new JsonObject()
      .put("asks", 3).put("embeddings", "7"))).inFlight();
    assertThat(set).isEqualTo(new HttpConfig.InFlight(3, 16 * cores, 4 * cores, 7));
    assertThatThrownBy(() -> HttpConfig.from(new JsonObject().put("inFlight", new JsonObject().put("searches", -1))))
      .isInstanceOf(ConfigException.class).hasMessageContaining("http.inFlight.searches");
  }
}
