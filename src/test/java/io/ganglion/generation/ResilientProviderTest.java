package io.ganglion.generation;

import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * <b>NOTE</b>: every duration here is either a lower bound (a wait that must have happened) or far longer than any
 * scheduling delay of a loaded machine; nothing asserts that something happened within a short time. Deadlines
 * that must fire do so against an upstream that withholds its answer forever, and state changes that need time to
 * pass are awaited by polling with a generous limit.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResilientProviderTest {

  private static final ChatRequest QUESTION = ChatRequest.of("Be brief.", "Why retry?");

  /** Long enough that no scheduling hiccup lets an open breaker turn half-open before the test looks at it. */
  private static final long BREAKER_RESET_MS = 3_000;

  private FakeUpstream upstream;

  @BeforeEach
  void start(Vertx vertx) {
    upstream = FakeUpstream.start(vertx);
  }

  private ResilientProvider resilient(Vertx vertx, JsonObject overrides) {
    var config = Wire.config("openai", "openai", upstream.baseUrl(), overrides);
    return new ResilientProvider(vertx, Wire.openAi(vertx, config), config);
  }

  /** Waits until the breaker reaches {@code state}; the reset timer may fire late on a loaded machine, never early. */
  private static void awaitBreaker(ResilientProvider provider, CircuitBreakerState state) {
    await("breaker " + state).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
      .until(() -> provider.breakerState() == state);
  }

  @Test
  @DisplayName("A 429 with Retry-After is retried after the requested wait, then succeeds")
  void retriesAfterRateLimit(Vertx vertx) {
    upstream.answering((attempt, request, body) -> {
      if (attempt == 1) {
        request.response().putHeader("retry-after", "1");
        Wire.json(request.response(), 429, Wire.openAiError("Rate limit reached", "requests", "rate_limit_exceeded"));
      } else {
        Wire.json(request.response(), 200, Wire.openAiCompletion("ok", "stop", 1, 1));
      }
    });
    ResilientProvider provider = resilient(vertx, new JsonObject().put("maxRetries", 2));

    long started = System.nanoTime();
    ChatResult result = provider.complete(QUESTION).await();
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;

    assertThat(result.text()).isEqualTo("ok");
    assertThat(upstream.hits()).isEqualTo(2);
    // the configured backoff is at most 20 ms: only Retry-After explains a one-second wait
    assertThat(elapsedMs).isGreaterThanOrEqualTo(950);
  }

  @Test
  @DisplayName("5xx responses are retried up to maxRetries with backoff, then the last error is reported")
  void retriesServerErrors(Vertx vertx) {
    upstream.answering((attempt, request, body) ->
      Wire.json(request.response(), 503, Wire.openAiError("Service unavailable", "server_error", null)));
    ResilientProvider provider = resilient(vertx, new JsonObject().put("maxRetries", 2).put("breakerMaxFailures", 10));

    Throwable failure = catchThrowable(() -> provider.complete(QUESTION).await());

    assertThat(failure).isInstanceOfSatisfying(UpstreamException.class, e -> assertThat(e.status()).isEqualTo(503));
    assertThat(upstream.hits()).isEqualTo(3);
  }

  @Test
  @DisplayName("A 400 is not retried: the request itself was refused")
  void doesNotRetryClientErrors(Vertx vertx) {
    upstream.answering((attempt, request, body) ->
      Wire.json(request.response(), 400, Wire.openAiError("bad", "invalid_request_error", null)));
    ResilientProvider provider = resilient(vertx, new JsonObject().put("maxRetries", 3));

    Throwable failure = catchThrowable(() -> provider.complete(QUESTION).await());

    assertThat(failure).isInstanceOf(UpstreamException.class);
    assertThat(upstream.hits()).isEqualTo(1);
  }

  @Test
  @DisplayName("Repeated 500s open the circuit breaker, after which calls fail fast without reaching the upstream")
  void breakerOpens(Vertx vertx) {
    upstream.answering((attempt, request, body) ->
      Wire.json(request.response(), 500, Wire.openAiError("boom", "server_error", null)));
    ResilientProvider provider = resilient(vertx,
      new JsonObject().put("maxRetries", 0).put("breakerMaxFailures", 3).put("breakerResetMs", 60_000));

    for (int i = 0; i < 3; i++) {
      assertThat(catchThrowable(() -> provider.complete(QUESTION).await())).isInstanceOf(UpstreamException.class);
    }
    Throwable fast = catchThrowable(() -> provider.complete(QUESTION).await());

    assertThat(fast).isInstanceOf(ProviderUnavailableException.class);
    assertThat(provider.breakerState()).isEqualTo(CircuitBreakerState.OPEN);
    assertThat(upstream.hits()).isEqualTo(3);
  }

  @Test
  @DisplayName("A half-open breaker closes again after a successful trial call")
  void breakerRecovers(Vertx vertx) throws InterruptedException {
    upstream.answering((attempt, request, body) -> {
      if (attempt <= 2) {
        Wire.json(request.response(), 500, Wire.openAiError("boom", "server_error", null));
      } else {
        Wire.json(request.response(), 200, Wire.openAiCompletion("back", "stop", 1, 1));
      }
    });
    ResilientProvider provider = resilient(vertx,
      new JsonObject().put("maxRetries", 0).put("breakerMaxFailures", 2).put("breakerResetMs", BREAKER_RESET_MS));
    catchThrowable(() -> provider.complete(QUESTION).await());
    catchThrowable(() -> provider.complete(QUESTION).await());
    assertThat(provider.breakerState()).isEqualTo(CircuitBreakerState.OPEN);

    awaitBreaker(provider, CircuitBreakerState.HALF_OPEN);
    ChatResult result = provider.complete(QUESTION).await();

    assertThat(result.text()).isEqualTo("back");
    assertThat(provider.breakerState()).isEqualTo(CircuitBreakerState.CLOSED);
    assertThat(upstream.hits()).isEqualTo(3);
  }

  @Test
  @DisplayName("A half-open breaker whose trial call ends without an answer (cancelled) opens again instead of closing")
  void inconclusiveTrialReopens(Vertx vertx) throws InterruptedException {
    Promise<Void> trialArrived = Promise.promise();
    upstream.answering((attempt, request, body) -> {
      if (attempt <= 2) {
        Wire.json(request.response(), 500, Wire.openAiError("boom", "server_error", null));
      } else {
        // the trial call: headers, then nothing, so only the cancel can end it
        Wire.sse(request.response()).write(": accepted\n\n");
        trialArrived.tryComplete();
      }
    });
    ResilientProvider provider = resilient(vertx,
      new JsonObject().put("maxRetries", 0).put("breakerMaxFailures", 2).put("breakerResetMs", BREAKER_RESET_MS));
    catchThrowable(() -> provider.complete(QUESTION).await());
    catchThrowable(() -> provider.complete(QUESTION).await());
    awaitBreaker(provider, CircuitBreakerState.HALF_OPEN);

    ChatStream trial = provider.stream(QUESTION, delta -> { });
    trialArrived.future().await();
    trial.cancel();
    Throwable failure = catchThrowable(() -> trial.result().await());

    assertThat(failure).isInstanceOf(ChatCancelledException.class);
    awaitBreaker(provider, CircuitBreakerState.OPEN);
    assertThat(catchThrowable(() -> provider.complete(QUESTION).await()))
      .isInstanceOf(ProviderUnavailableException.class);
    assertThat(upstream.hits()).isEqualTo(3);
  }

  @Test
  @DisplayName("Beyond maxConcurrency a call fails at once with ProviderBusyException; the slot frees on completion")
  void concurrencyLimit(Vertx vertx, VertxTestContext testContext) {
    Checkpoint done = testContext.checkpoint(3);
    Promise<HttpServerRequest> firstArrived = Promise.promise();
    upstream.answering((attempt, request, body) -> {
      if (attempt == 1) {
        // hold the first call open until the second has been turned away
        firstArrived.complete(request);
      } else {
        Wire.json(request.response(), 200, Wire.openAiCompletion("third", "stop", 1, 1));
      }
    });
    ResilientProvider provider = resilient(vertx, new JsonObject().put("maxConcurrency", 1));

    vertx.runOnContext(v -> {
      provider.complete(QUESTION).onComplete(testContext.succeeding(first -> {
        testContext.verify(() -> assertThat(provider.inFlight()).isZero());
        done.flag();
        provider.complete(QUESTION).onComplete(testContext.succeeding(third -> done.flag()));
      }));
      provider.complete(QUESTION).onComplete(testContext.failing(second -> testContext.verify(() -> {
        assertThat(second).isInstanceOf(ProviderBusyException.class);
        assertThat(upstream.hits()).isLessThanOrEqualTo(1);
        assertThat(provider.inFlight()).isEqualTo(1);
        done.flag();
        firstArrived.future().onSuccess(first ->
          Wire.json(first.response(), 200, Wire.openAiCompletion("first", "stop", 1, 1)));
      })));
    });
  }

  @Test
  @DisplayName("A stream that already delivered a token is not retried when it breaks")
  void noRetryAfterToken(Vertx vertx) {
    upstream.answering((attempt, request, body) -> Wire.sse(request.response()).write(Wire.openAiChunk("Partial"))
      .onComplete(written -> request.connection().close()));
    ResilientProvider provider = resilient(vertx, new JsonObject().put("maxRetries", 3));
    List<String> deltas = new java.util.concurrent.CopyOnWriteArrayList<>();

    Throwable failure = catchThrowable(() -> provider.stream(QUESTION, deltas::add).result().await());

    assertThat(failure).isInstanceOf(TruncatedStreamException.class);
    assertThat(deltas).containsExactly("Partial");
    assertThat(upstream.hits()).isEqualTo(1);
  }

  @Test
  @DisplayName("A stream that breaks before its first token is retried transparently")
  void retriesBeforeToken(Vertx vertx) {
    upstream.answering((attempt, request, body) -> {
      if (attempt == 1) {
        Wire.sse(request.response()).write(": warming up\n\n").onComplete(written -> request.connection().close());
      } else {
        Wire.sseAll(request.response(), Wire.openAiStream(List.of("Second", " try"), 2, 2));
      }
    });
    ResilientProvider provider = resilient(vertx, new JsonObject().put("maxRetries", 1));
    List<String> deltas = new java.util.concurrent.CopyOnWriteArrayList<>();

    ChatResult result = provider.stream(QUESTION, deltas::add).result().await();

    assertThat(result.text()).isEqualTo("Second try");
    assertThat(deltas).containsExactly("Second", " try");
    assertThat(upstream.hits()).isEqualTo(2);
  }

  @Test
  @DisplayName("The total timeout fails the call and resets the upstream request still in flight")
  void totalTimeout(Vertx vertx, VertxTestContext testContext) {
    Checkpoint upstreamClosed = testContext.checkpoint();
    Checkpoint timedOut = testContext.checkpoint();
    upstream.answering((attempt, request, body) -> {
      request.response().closeHandler(v -> upstreamClosed.flag());
      // one token, then the answer is withheld forever: only the total deadline can end the call
      Wire.sse(request.response()).write(Wire.openAiChunk("Still"));
    });
    // the budget is long enough that the request surely reaches the upstream first; the idle timeout never fires
    long budgetMs = 2_000;
    ResilientProvider provider = resilient(vertx,
      new JsonObject().put("timeoutMs", budgetMs).put("firstByteTimeoutMs", 600_000));
    long started = System.nanoTime();

    vertx.runOnContext(v -> provider.stream(QUESTION, delta -> { }).result()
      .onComplete(testContext.failing(failure -> testContext.verify(() -> {
        assertThat(failure).isInstanceOfSatisfying(ProviderTimeoutException.class,
          e -> assertThat(e.phase()).isEqualTo(ProviderTimeoutException.Phase.TOTAL));
        assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(budgetMs - 50);
        timedOut.flag();
      }))));
  }

  @Test
  @DisplayName("Cancelling through the resilient wrapper resets the upstream request")
  void cancellation(Vertx vertx, VertxTestContext testContext) {
    Checkpoint upstreamClosed = testContext.checkpoint();
    Checkpoint cancelled = testContext.checkpoint();
    upstream.answering((attempt, request, body) -> {
      request.response().closeHandler(v -> upstreamClosed.flag());
      Wire.sse(request.response()).write(Wire.openAiChunk("Thinking"));
    });
    ResilientProvider provider = resilient(vertx, new JsonObject());

    vertx.runOnContext(v -> {
      ChatStream[] stream = new ChatStream[1];
      stream[0] = provider.stream(QUESTION, delta -> stream[0].cancel());
      stream[0].result().onComplete(testContext.failing(failure -> testContext.verify(() -> {
        assertThat(failure).isInstanceOf(ChatCancelledException.class);
        assertThat(upstream.hits()).isEqualTo(1);
        cancelled.flag();
      })));
    });
  }
}
