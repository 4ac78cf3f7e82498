package io.ganglion.generation;

import io.ganglion.generation.impl.ChatCall;
import io.ganglion.generation.impl.RetryBackoff;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.ganglion.bus.MeterRegistries;
import io.ganglion.generation.impl.LlmMeters;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One provider made safe to depend on: a concurrency limit, a total deadline, retries with jittered exponential
 * backoff, and a circuit breaker, around a single-attempt client such as {@link OpenAiCompatibleProvider}.
 * <ul>
 *   <li><b>Concurrency</b>: beyond {@code maxConcurrency} calls in flight a call fails at once with
 *   {@link ProviderBusyException}, without touching the upstream.</li>
 *   <li><b>Retries</b>: up to {@code maxRetries} more attempts after a {@link ProviderException#retryable()}
 *   failure (429, 5xx, connection errors, connect/first-byte timeouts, truncated streams), waiting the upstream's
 *   {@code Retry-After} when it sent one, else {@link RetryBackoff}; never once a delta reached the caller, and
 *   never past the deadline.</li>
 *   <li><b>Circuit breaker</b> (vertx-circuit-breaker): every attempt runs through it; {@code breakerMaxFailures}
 *   retryable failures open it, and while it is open calls fail at once with {@link ProviderUnavailableException}.
 *   After {@code breakerResetMs} one trial call is let through; only its success closes the breaker again.</li>
 *   <li><b>Deadline</b>: {@code timeoutMs} bounds the whole call, backoff included; when it passes the attempt in
 *   flight is reset and the call fails with {@link ProviderTimeoutException.Phase#TOTAL}.</li>
 * </ul>
 * <b>NOTE</b>: thread-safe; one instance per provider is shared by every verticle instance, so the limit and the
 * breaker are per process.
 */
public final class ResilientProvider implements ChatProvider {

  private static final Logger LOG = LoggerFactory.getLogger(ResilientProvider.class);

  private final Vertx vertx;
  private final ChatProvider upstream;
  private final LlmProviderConfig config;
  private final CircuitBreaker breaker;
  private final RetryBackoff backoff;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LlmMeters meters;

  public ResilientProvider(Vertx vertx, ChatProvider upstream, LlmProviderConfig config) {
    this(vertx, upstream, config, new RetryBackoff(config.retryBaseDelayMs(), config.retryMaxDelayMs()));
  }

  ResilientProvider(Vertx vertx, ChatProvider upstream, LlmProviderConfig config, RetryBackoff backoff) {
    this(vertx, upstream, config, backoff, MeterRegistries.of(vertx));
  }

  ResilientProvider(Vertx vertx, ChatProvider upstream, LlmProviderConfig config, RetryBackoff backoff,
                    io.micrometer.core.instrument.MeterRegistry registry) {
    this.vertx = vertx;
    this.upstream = upstream;
    this.config = config;
    this.backoff = backoff;
    this.meters = new LlmMeters(registry, config);
    this.breaker = CircuitBreaker.create("llm." + config.name(), vertx, new CircuitBreakerOptions()
        .setMaxFailures(config.breakerMaxFailures())
        .setResetTimeout(config.breakerResetMs())
        // deadlines are ours (connect, first byte, total), retries too: they must know about streamed tokens
        .setTimeout(-1)
        .setMaxRetries(0)
        .setNotificationAddress(null))
      .failurePolicy(attempt -> attempt.failed() && (upstreamFailure(attempt.cause()) || trialInconclusive()));
    breaker.openHandler(v -> LOG.warn("llm provider {}: circuit breaker open", config.name()));
    breaker.halfOpenHandler(v -> LOG.info("llm provider {}: circuit breaker half-open, letting one trial call through",
      config.name()));
    breaker.closeHandler(v -> LOG.info("llm provider {}: circuit breaker closed", config.name()));
  }

  @Override
  public ChatStream stream(ChatRequest request, Handler<String> onDelta) {
    return run(onDelta, deltas -> upstream.stream(request, deltas));
  }

  @Override
  public ChatStream completion(ChatRequest request) {
    return run(delta -> { }, deltas -> upstream.completion(request));
  }

  @Override
  public boolean supportsResponseFormat() {
    return upstream.supportsResponseFormat();
  }

  @Override
  public String name() {
    return config.name();
  }

  /** The breaker's state, for {@code /ready} and metrics. */
  public CircuitBreakerState breakerState() {
    return breaker.state();
  }

  /** Calls in flight now. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Releases the breaker's resources. */
  public void close() {
    breaker.close();
  }

  /** A retryable failure is the upstream's fault and counts against the breaker. */
  private static boolean upstreamFailure(Throwable failure) {
    return failure instanceof ProviderException providerFailure && providerFailure.retryable();
  }

  /**
   * A refused request (4xx), a cancellation or the caller's own deadline says nothing about the upstream's health,
   * so it does not count against a closed breaker. The breaker knows only failure and success, though, and treats
   * anything else as success: were such an outcome of the one trial call of a half-open breaker let through, it
   * would close the breaker without evidence that the upstream is back (e.g. when the trial hangs until the total
   * timeout resets it). Only a successful trial closes the breaker; an inconclusive one re-opens it for another
   * {@code breakerResetMs}.
   */
  private boolean trialInconclusive() {
    return breaker.state() == CircuitBreakerState.HALF_OPEN;
  }

  private ChatStream run(Handler<String> onDelta, Function<Handler<String>, ChatStream> attempt) {
    if (inFlight.incrementAndGet() > config.maxConcurrency()) {
      inFlight.decrementAndGet();
      return ChatStream.failed(new ProviderBusyException(config.name(), config.maxConcurrency()));
    }
    ChatCall call = new ChatCall(config.name());
    long started = System.nanoTime();
    boolean[] first = {true};
    Handler<String> deltas = call.gate(delta -> {
      if (first[0]) {
        first[0] = false;
        meters.firstToken(System.nanoTime() - started);
      }
      onDelta.handle(delta);
    });
    long deadline = System.currentTimeMillis() + config.timeoutMs();
    long timer = vertx.setTimer(config.timeoutMs(), id -> call.abort(
      new ProviderTimeoutException(config.name(), ProviderTimeoutException.Phase.TOTAL, config.timeoutMs(), null)));
    call.result().onComplete(outcome -> {
      vertx.cancelTimer(timer);
      inFlight.decrementAndGet();
      meters.completed(System.nanoTime() - started, outcome.result(), outcome.cause());
    });
    attempt(call, () -> attempt.apply(deltas), 0, deadline).onComplete(call::settle);
    return call;
  }

  private Future<ChatResult> attempt(ChatCall call, Supplier<ChatStream> start, int retry, long deadline) {
    return breaker.<ChatResult>execute(() -> start(call, start))
      .recover(failure -> {
        Throwable cause = failure instanceof OpenCircuitException
          ? new ProviderUnavailableException(config.name(), failure)
          : failure;
        long delay = retryDelay(call, cause, retry, deadline);
        if (delay < 0) {
          return Future.failedFuture(cause);
        }
        LOG.debug("llm provider {}: retry {} in {} ms after {}", config.name(), retry + 1, delay, cause.getMessage());
        return vertx.timer(Math.max(1, delay)).compose(v -> attempt(call, start, retry + 1, deadline));
      });
  }

  private Future<ChatResult> start(ChatCall call, Supplier<ChatStream> start) {
    if (call.done()) {
      // cancelled or out of time while backing off
      return Future.failedFuture(new ChatCancelledException(config.name()));
    }
    ChatStream attempt = start.get();
    call.onCancel(attempt::cancel);
    return attempt.result();
  }

  /** Milliseconds to wait before the next attempt, or {@code -1} when there must be none. */
  private long retryDelay(ChatCall call, Throwable failure, int retry, long deadline) {
    if (retry >= config.maxRetries() || call.done() || call.delivered()
      || !(failure instanceof ProviderException providerFailure) || !providerFailure.retryable()) {
      return -1;
    }
    long delay = failure instanceof UpstreamException upstreamFailure && upstreamFailure.retryAfter().isPresent()
      ? upstreamFailure.retryAfter().get().toMillis()
      : backoff.delayMs(retry);
    // a wait that outlasts the budget only delays the inevitable timeout: fail now with the real cause
    return System.currentTimeMillis() + delay < deadline ? delay : -1;
  }
}
