package io.ganglion.webhooks.impl;

import io.ganglion.egress.EgressGuard;
import io.ganglion.egress.EgressRefusedException;
import io.ganglion.store.WebhookRepository;
import io.ganglion.webhooks.WebhookSignature;
import io.ganglion.webhooks.WebhooksConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

/**
 * One attempt at one delivery: sign it now (a fresh timestamp per attempt, one signature per live secret), POST it
 * through the egress guard with no redirects followed and the attempt's deadline, and say what comes next. A 2xx is
 * delivered; anything else (another status, a refused target, a timeout, a connection failure) is retried after
 * {@link WebhooksConfig#backoffMs} until {@code maxAttempts}.
 */
public final class Deliverer {

  /** Most bytes of a receiver's reply read (kept for nothing but the connection's reuse). */
  private static final int MAX_REPLY_BYTES = 4096;
  /** Longest error text recorded with an attempt. */
  private static final int MAX_ERROR_CHARS = 500;

  /** An attempt's outcome: what to record, and when to try again ({@code retryInMs} negative: never). */
  public record Result(WebhookRepository.Attempt attempt, boolean delivered, long retryInMs) {
  }

  private final EgressGuard guard;
  private final WebhooksConfig config;
  private final MeterRegistry meters;

  public Deliverer(EgressGuard guard, WebhooksConfig config, MeterRegistry meters) {
    this.guard = guard;
    this.config = config;
    this.meters = meters;
  }

  /** Attempts {@code due}; never fails (every failure is an outcome to record). */
  public Future<Result> attempt(WebhookRepository.Due due) {
    Instant started = Instant.now();
    long startNanos = System.nanoTime();
    long timestamp = started.getEpochSecond();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
      .add("Content-Type", "application/json")
      .add("User-Agent", "Ganglion-Webhooks/1")
      .add(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
      .add(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.header(due.secrets(), timestamp, due.body()))
      .add(WebhookSignature.DELIVERY_HEADER, due.id().toString())
      .add(WebhookSignature.EVENT_HEADER, due.event());
    Future<EgressGuard.Response> sent;
    try {
      sent = guard.send(HttpMethod.POST, URI.create(due.url()), headers, Buffer.buffer(due.body()), config.timeoutMs(), 0,
        MAX_REPLY_BYTES);
    } catch (IllegalArgumentException e) {
      sent = Future.failedFuture(new EgressRefusedException("the URL is malformed: " + e.getMessage()));
    }
    return sent.timeout(config.timeoutMs(), TimeUnit.MILLISECONDS)
      .map(response -> {
        int duration = elapsedMs(startNanos);
        boolean ok = response.status() >= 200 && response.status() < 300;
        return outcome(due, started, duration, response.status(), ok ? null : "the receiver answered " + response.status());
      })
      .otherwise(failure -> outcome(due, started, elapsedMs(startNanos), null, describe(failure)));
  }

  private Result outcome(WebhookRepository.Due due, Instant started, int durationMs, Integer status, String error) {
    WebhookRepository.Attempt attempt = new WebhookRepository.Attempt(due.attempt(),
      OffsetDateTime.ofInstant(started, ZoneOffset.UTC), durationMs, status, error);
    boolean delivered = error == null;
    long retry = delivered || due.attempt() >= config.maxAttempts() ? -1 : config.backoffMs(due.attempt());
    meters.counter("ganglion.webhook.attempts", "outcome", delivered ? "delivered" : retry < 0 ? "failed" : "retry")
      .increment();
    return new Result(attempt, delivered, retry);
  }

  private static String describe(Throwable failure) {
    String text = failure instanceof EgressRefusedException refused ? "refused: " + refused.getMessage()
      : failure instanceof java.util.concurrent.TimeoutException ? "no answer within the attempt's deadline"
      : failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
    return text.length() > MAX_ERROR_CHARS ? text.substring(0, MAX_ERROR_CHARS) : text;
  }

  private static int elapsedMs(long startNanos) {
    return (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - startNanos) / 1_000_000);
  }
}
