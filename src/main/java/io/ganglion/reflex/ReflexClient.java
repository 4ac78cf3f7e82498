package io.ganglion.reflex;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.AskStreams;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.LocalCodec;
import io.ganglion.orchestration.AskClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * Asks through this node's reflex layer ({@code ganglion.reflex.ask.local}): rules, then the response cache, then
 * the orchestrator. The reply says where the answer came from and carries it already encoded. Without a reflex
 * verticle on this node the question goes to the orchestrator directly ({@link AskClient}; a miss). A plain cache hit
 * of a non-streamed ask is read on the caller's thread ({@link HitView}), without the hop.
 * <p>
 * <b>NOTE</b>: call from a Vert.x context; events and the reply arrive on it. {@link #registerCodecs} must have run
 * on this Vert.x instance.
 */
public final class ReflexClient {

  /** Time the reflex hop may take on top of the orchestration behind it. */
  private static final long MARGIN_MS = 1_000;

  /** An ask in flight. */
  public interface Call {
    /** The answer; fails with the orchestrator's codes, or 4220 when a rule blocks the question. */
    Future<ReflexAnswer> reply();

    /** Asks the orchestrator to stop (a streaming miss only); the reply then fails. */
    void cancel();
  }

  private ReflexClient() {
  }

  /** Registers the local codecs of the request and reply records; call once per verticle start. Idempotent. */
  public static void registerCodecs(Vertx vertx) {
    LocalCodec.register(vertx.eventBus(), ReflexAsk.class);
    LocalCodec.register(vertx.eventBus(), ReflexAnswer.class);
  }

  /**
   * @param request   the {@code ganglion.orchestrator.ask} request
   * @param timeoutMs deadline of the whole ask
   * @param listener  stream events ({@code step}, {@code token}, {@code citation}), or {@code null}
   */
  public static Call ask(Vertx vertx, JsonObject request, long timeoutMs, AskStreams.Listener listener) {
    return ask(vertx, request, timeoutMs, false, listener);
  }

  /** @param refresh skip the cache look-up (the fresh answer is stored) */
  public static Call ask(Vertx vertx, JsonObject request, long timeoutMs, boolean refresh, AskStreams.Listener listener) {
    if (listener == null && !refresh) {
      ReflexAnswer hit = cached(vertx, request);
      if (hit != null) {
        return call(Future.succeededFuture(hit), () -> { });
      }
    }
    if (listener == null) {
      return call(askAfterMiss(vertx, request, timeoutMs, refresh), () -> { });
    }
    AskStreams.Subscription events = AskStreams.open(vertx, listener);
    Future<ReflexAnswer> reply = events.ready()
      .compose(v -> send(vertx, new ReflexAsk(request, events.address(), timeoutMs, refresh)))
      .eventually(events::close);
    return call(reply, events::cancel);
  }

  /**
   * The non-streamed ask of a request that {@link #cached} has already missed (or a refresh): straight to the reflex
   * verticle, without looking in the cache view again.
   */
  public static Future<ReflexAnswer> askAfterMiss(Vertx vertx, JsonObject request, long timeoutMs, boolean refresh) {
    return send(vertx, new ReflexAsk(request, null, timeoutMs, refresh));
  }

  /**
   * The answer the cache holds for {@code request}, read on the caller's thread ({@link HitView}), or {@code null} when
   * it must go through the reflex verticle (no hit here, a rule to apply, below quorum, an untrusted KB version).
   */
  public static ReflexAnswer cached(Vertx vertx, JsonObject request) {
    return cached(vertx, request, null);
  }

  /**
   * As {@link #cached(Vertx, JsonObject)} for a request that is asked again unchanged (read only), its cache key
   * remembered in {@code keys} per knowledge-base version.
   */
  public static ReflexAnswer cached(Vertx vertx, JsonObject request, io.ganglion.reflex.cache.CacheKey.Memo keys) {
    HitView hits = HitView.of(vertx);
    return hits == null ? null : hits.hit(request, keys);
  }

  private static Future<ReflexAnswer> send(Vertx vertx, ReflexAsk ask) {
    return vertx.eventBus().<ReflexAnswer>request(Addresses.REFLEX_ASK_LOCAL, ask,
        Deadlines.localWithin(ask.timeoutMs() + MARGIN_MS))
      .map(Message::body)
      .recover(failure -> failure instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
        ? direct(vertx, ask) : Future.failedFuture(failure));
  }

  private static Future<ReflexAnswer> direct(Vertx vertx, ReflexAsk ask) {
    return AskClient.ask(vertx, ask.request(), ask.stream(), ask.timeoutMs())
      .map(answer -> ReflexAnswer.of(ReflexAnswer.Source.ORCHESTRATOR, null, answer));
  }

  private static Call call(Future<ReflexAnswer> reply, Runnable cancel) {
    return new Call() {
      @Override
      public Future<ReflexAnswer> reply() {
        return reply;
      }

      @Override
      public void cancel() {
        cancel.run();
      }
    };
  }
}
