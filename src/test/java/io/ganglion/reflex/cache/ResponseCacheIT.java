package io.ganglion.reflex.cache;

import io.ganglion.bus.ErrorCode;
import io.ganglion.reflex.ReflexAnswer;
import io.ganglion.reflex.ReflexCacheConfig;
import io.ganglion.store.RedisOnContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Cached answers carry the reflex policy they were computed under; one of another policy is re-inspected")
class ResponseCacheIT {

  static RedisOnContext fixture;
  static Redis redis;
  static final ReflexCacheConfig CONFIG = new ReflexCacheConfig(true, 300, 100, 2_000);

  SimpleMeterRegistry meters;
  AtomicInteger computed;
  List<ReflexAnswer> inspected;

  @BeforeAll
  static void start() throws Exception {
    fixture = RedisOnContext.start("response-cache-");
    redis = fixture.redis;
  }

  @AfterAll
  static void stop() throws Exception {
    fixture.close();
  }

  @BeforeEach
  void fresh() throws Exception {
    onContext(() -> redis.send(Request.cmd(Command.FLUSHALL)));
    meters = new SimpleMeterRegistry();
    computed = new AtomicInteger();
    inspected = new ArrayList<>();
  }

  private ResponseCache cache(String policy) {
    return new ResponseCache(CONFIG, redis, meters, policy);
  }

  private Supplier<Future<ReflexAnswer>> compute(String text) {
    return () -> {
      computed.incrementAndGet();
      return Future.succeededFuture(ReflexAnswer.of(ReflexAnswer.Source.ORCHESTRATOR, null,
        new JsonObject().put("answer", text).put("conversationId", "c-1")));
    };
  }

  private Function<ReflexAnswer, Future<Boolean>> revalidate(Future<Boolean> verdict) {
    return answer -> {
      inspected.add(answer);
      return verdict;
    };
  }

  private ReflexAnswer get(ResponseCache cache, String key, String text, Future<Boolean> verdict) throws Exception {
    return onContext(() -> cache.get(key, compute(text), a -> true, revalidate(verdict)));
  }

  private String stored(String key) throws Exception {
    Response value = onContext(() -> redis.send(Request.cmd(Command.GET).arg("ganglion:cache:" + key)));
    return value == null ? null : value.toString();
  }

  /** The stored value once it satisfies {@code check} (the write behind a serve is not awaited by the cache). */
  private void storedEventually(String key, java.util.function.Consumer<String> check) {
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
      .untilAsserted(() -> check.accept(stored(key)));
  }

  private double revalidated(String outcome) {
    var counter = meters.find("ganglion.reflex.cache.revalidated").tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  @DisplayName("an answer of the same policy is served as it is, without inspection")
  void samePolicyServedAsIs() throws Exception {
    get(cache("p-a"), "k1", "first", Future.succeededFuture(false));
    storedEventually("k1", v -> assertThat(v).startsWith("p-a\n{"));
    ReflexAnswer hit = get(cache("p-a"), "k1", "second", Future.succeededFuture(false));

    assertThat(hit.source()).isEqualTo(ReflexAnswer.Source.CACHE);
    assertThat(hit.json().getString("answer")).isEqualTo("first");
    assertThat(computed).hasValue(1);
    assertThat(inspected).isEmpty();
    storedEventually("k1", v -> assertThat(v).startsWith("p-a\n{"));
  }

  @Test
  @DisplayName("after a policy change an answer the new policy accepts is inspected once, served, and stored under the new policy")
  void keptAndRestamped() throws Exception {
    get(cache("p-a"), "k2", "first", Future.succeededFuture(true));
    storedEventually("k2", v -> assertThat(v).startsWith("p-a\n"));
    ResponseCache changed = cache("p-b");

    assertThat(changed.cached("k2")).as("the in-process fast path never serves another policy's entry").isNull();
    ReflexAnswer served = get(changed, "k2", "second", Future.succeededFuture(true));
    ReflexAnswer again = get(changed, "k2", "third", Future.succeededFuture(true));

    assertThat(served.source()).isEqualTo(ReflexAnswer.Source.CACHE);
    assertThat(served.json().getString("answer")).isEqualTo("first");
    assertThat(served.json().getValue("conversationId")).isNull();
    assertThat(again.json().getString("answer")).isEqualTo("first");
    assertThat(inspected).hasSize(1);
    assertThat(inspected.get(0).json().getString("answer")).isEqualTo("first");
    assertThat(computed).hasValue(1);
    storedEventually("k2", v -> assertThat(v).startsWith("p-b\n{"));
    assertThat(changed.cached("k2")).isNotNull();
    assertThat(revalidated("kept")).isEqualTo(1);
  }

  @Test
  @DisplayName("after a policy change an answer the new policy rejects is computed again and stored under the new policy")
  void rejectedIsRecomputed() throws Exception {
    get(cache("p-a"), "k3", "old answer", Future.succeededFuture(true));
    storedEventually("k3", v -> assertThat(v).startsWith("p-a\n"));
    ResponseCache changed = cache("p-b");

    ReflexAnswer fresh = get(changed, "k3", "new answer", Future.succeededFuture(false));

    assertThat(fresh.json().getString("answer")).isEqualTo("new answer");
    assertThat(fresh.source()).isEqualTo(ReflexAnswer.Source.ORCHESTRATOR);
    assertThat(computed).hasValue(2);
    storedEventually("k3", v -> assertThat(v).startsWith("p-b\n").contains("new answer").doesNotContain("old answer"));
    assertThat(revalidated("recomputed")).isEqualTo(1);
  }

  @Test
  @DisplayName("a question the new policy blocks fails with that code, and the old answer is not served")
  void blockedFails() throws Exception {
    get(cache("p-a"), "k4", "old answer", Future.succeededFuture(true));
    storedEventually("k4", v -> assertThat(v).startsWith("p-a\n"));
    ResponseCache changed = cache("p-b");

    Throwable failure = onContext(() -> changed.get("k4", compute("x"), a -> true,
        revalidate(Future.failedFuture(ErrorCode.UNPROCESSABLE.exception("blocked"))))
      .transform(ar -> Future.succeededFuture(ar.cause())));

    assertThat(failure).isNotNull();
    assertThat(ErrorCode.of(failure)).isEqualTo(ErrorCode.UNPROCESSABLE);
    assertThat(computed).hasValue(1);
    assertThat(revalidated("blocked")).isEqualTo(1);
  }

  @Test
  @DisplayName("a value written before answers carried a policy (bare JSON) counts as another policy and is re-inspected")
  void legacyValue() throws Exception {
    onContext(() -> redis.send(Request.cmd(Command.SET).arg("ganglion:cache:k5").arg("{\"answer\":\"legacy\"}")));

    ReflexAnswer served = get(cache("p-b"), "k5", "x", Future.succeededFuture(true));

    assertThat(served.json().getString("answer")).isEqualTo("legacy");
    assertThat(inspected).hasSize(1);
    storedEventually("k5", v -> assertThat(v).startsWith("p-b\n{\"answer\":\"legacy\""));
  }

  @Test
  @DisplayName("a policy version must be one line not starting with '{' (the stored value could not be read back)")
  void policyIsOneLine() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> cache("a\nb"))
      .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> cache("{x"))
      .isInstanceOf(IllegalArgumentException.class);
  }

  private static <T> T onContext(Supplier<Future<T>> work) throws Exception {
    return fixture.run(work);
  }
}
