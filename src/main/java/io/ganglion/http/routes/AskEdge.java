package io.ganglion.http.routes;

import io.ganglion.bus.AskStreams;
import io.ganglion.http.SseStream;
import io.ganglion.http.auth.Principal;
import io.ganglion.http.limits.EdgeAdmission;
import io.ganglion.http.limits.TokenBudget;
import io.ganglion.reflex.ReflexAnswer;
import io.ganglion.reflex.ReflexClient;
import io.ganglion.reflex.cache.CacheKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;
import java.util.function.Function;

/**
 * What {@code POST /v1/kbs/{kb}/ask} and {@code POST /v1/chat/completions} share at the edge: the question goes through
 * this node's reflex layer ({@link ReflexClient}: rules, cache, orchestrator) with {@code Cache-Control: no-cache}
 * honoured, the generation tokens are charged to the caller's budget, {@code X-Ganglion-Cache} / {@code X-Ganglion-Rule}
 * say where the answer came from, and a stream is cancelled when the client goes away. A failure before anything was
 * streamed is a plain HTTP error with its status; after, the route writes it into the stream. The routes only shape the
 * request and the output ({@link Output}). Event-loop confined, like the routes.
 */
final class AskEdge {

  /** How one route writes a streamed answer. */
  interface Output {
    /** A stream event of the ask ({@code step}, {@code token}, {@code citation}), in order. */
    void event(String event, JsonObject data);

    /** The full answer, after the last event. */
    void done(ReflexAnswer answer);

    /** A failure after the stream started: {@code {"error":{"code","message","requestId"}}}. */
    void error(JsonObject error);
  }

  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence CACHE = HttpHeaders.createOptimized(ReflexAnswer.CACHE_HEADER);
  private static final CharSequence HIT = HttpHeaders.createOptimized("hit");
  private static final CharSequence MISS = HttpHeaders.createOptimized("miss");

  private final Vertx vertx;
  private final EdgeAdmission admission;
  private final TokenBudget budget;
  private final long timeoutMs;
  private final long heartbeatMs;

  /**
   * @param admission   the node's edge admission: an ask the cache does not answer on the event loop takes a place
   * @param timeoutMs   deadline of the whole ask over the bus (the HTTP request budget)
   * @param heartbeatMs a {@code : ping} comment keeps a silent stream alive this often
   */
  AskEdge(Vertx vertx, EdgeAdmission admission, TokenBudget budget, long timeoutMs, long heartbeatMs) {
    this.vertx = vertx;
    this.admission = admission;
    this.budget = budget;
    this.timeoutMs = timeoutMs;
    this.heartbeatMs = heartbeatMs;
  }

  /** Answers {@code request} as one JSON body, {@code render} shaping the answer. */
  void answer(RoutingContext ctx, JsonObject request, Function<ReflexAnswer, Buffer> render) {
    answer(ctx, request, null, render);
  }

  /**
   * As {@link #answer(RoutingContext, JsonObject, Function)} for a request shared by repeated asks (read only: a miss
   * sends a copy), its cache key remembered in {@code keys} ({@code null}: keyed afresh).
   */
  void answer(RoutingContext ctx, JsonObject request, CacheKey.Memo keys, Function<ReflexAnswer, Buffer> render) {
    boolean refresh = refresh(ctx);
    ReflexAnswer hit = refresh ? null : ReflexClient.cached(vertx, request, keys);
    if (hit != null) {
      // a hit is served here, now: no admission place, no token charge (a hit generates nothing)
      headers(ctx, hit).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(render.apply(hit));
      return;
    }
    if (!admission.admit(ctx, EdgeAdmission.Kind.ASK)) {
      return;
    }
    Future<ReflexAnswer> reply = ReflexClient.askAfterMiss(vertx, keys == null ? request : request.copy(), timeoutMs,
      refresh);
    budget.charging(Principal.of(ctx), reply)
      .onSuccess(answer -> headers(ctx, answer).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
        .end(render.apply(answer)))
      .onFailure(ctx::fail);
  }

  /** Streams the answer to {@code request} as Server-Sent Events; {@code output} gets the open stream. */
  void stream(RoutingContext ctx, JsonObject request, Function<SseStream, Output> output) {
    if (!admission.admit(ctx, EdgeAdmission.Kind.ASK)) {
      return;
    }
    SseStream sse = SseStream.open(vertx, ctx, heartbeatMs);
    Output out = output.apply(sse);
    ctx.response().putHeader(ReflexAnswer.CACHE_HEADER, "miss");
    ReflexClient.Call call = ReflexClient.ask(vertx, request, timeoutMs, refresh(ctx), (event, data) -> {
      markHit(ctx, event, data);
      out.event(event, data);
    });
    sse.onClose(call::cancel);
    budget.charging(Principal.of(ctx), call.reply())
      .onSuccess(answer -> {
        out.done(answer);
        sse.end();
      })
      .onFailure(failure -> sse.fail(failure, out::error));
  }

  /** Whether the client asked for a fresh answer ({@code Cache-Control: no-cache}). */
  private static boolean refresh(RoutingContext ctx) {
    String control = ctx.request().getHeader(HttpHeaders.CACHE_CONTROL);
    return control != null && control.toLowerCase(Locale.ROOT).contains("no-cache");
  }

  /** Sets the response headers of a non-streamed answer: cache status, and the rule if one answered. */
  private static io.vertx.core.http.HttpServerResponse headers(RoutingContext ctx, ReflexAnswer answer) {
    if (answer.rule() != null) {
      ctx.response().putHeader(ReflexAnswer.RULE_HEADER, answer.rule());
    }
    return ctx.response().putHeader(CACHE, answer.source() == ReflexAnswer.Source.CACHE ? HIT : MISS);
  }

  /** A replayed stream starts with a {@code cache} (or {@code rule}) step, before anything is written. */
  private static void markHit(RoutingContext ctx, String event, JsonObject data) {
    if (AskStreams.STEP.equals(event) && !ctx.response().headWritten()) {
      String step = data.getString("name");
      if ("cache".equals(step)) {
        ctx.response().putHeader(ReflexAnswer.CACHE_HEADER, "hit");
      } else if ("rule".equals(step) && data.getValue("rule") instanceof String rule) {
        ctx.response().putHeader(ReflexAnswer.RULE_HEADER, rule);
      }
    }
  }
}
