package io.ganglion.http.routes;

import io.ganglion.bus.ErrorCode;
import io.ganglion.orchestration.OrchestrationConfig;
import io.ganglion.http.ErrorResponder;
import io.ganglion.http.JsonBodies;
import io.ganglion.http.SseStream;
import io.ganglion.http.auth.Principal;
import io.ganglion.http.limits.TokenBudget;
import io.ganglion.http.auth.Scopes;
import io.ganglion.bus.AskStreams;
import io.ganglion.reflex.ReflexAnswer;
import io.ganglion.reflex.ReflexClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/kbs/{kb}/ask} (scope {@code chat}): a cited answer from a knowledge base, as JSON or, with
 * {@code "stream":true} or {@code Accept: text/event-stream}, as Server-Sent Events: {@code step} for each pipeline
 * step as it finishes, {@code token} for answer text, {@code citation} for each source, then {@code done} with the full
 * JSON answer, or {@code error} with the error contract. The stream starts once retrieval has answered (earlier steps
 * are held back), so a refused ask is a plain HTTP error. A client that disconnects cancels the work.
 * <p>
 * Every question goes through the reflex layer first ({@link ReflexClient}): a rule may block it (422), answer it or
 * route it; a cached answer is sent as is. {@code X-Ganglion-Cache} says {@code hit} or {@code miss};
 * {@code X-Ganglion-Rule} names a rule that answered or routed the question. {@code Cache-Control: no-cache} on the
 * request skips the cache look-up (the fresh answer replaces the cached one).
 */
public final class AskRoutes {

  public static final String CHAT = "chat";

  private final Vertx vertx;
  private final TokenBudget budget;
  private final OrchestrationConfig config;
  private final long timeoutMs;

  /** @param timeoutMs deadline of the whole ask over the bus (the HTTP request budget) */
  public AskRoutes(Vertx vertx, OrchestrationConfig config, long timeoutMs, TokenBudget budget) {
    this.budget = budget;
    this.vertx = vertx;
    this.config = config;
    this.timeoutMs = timeoutMs;
  }

  public void mount(Router router) {
    router.post("/v1/kbs/:kb/ask").consumes("application/json").handler(this::ask);
  }

  private void ask(RoutingContext ctx) {
    Principal principal = Scopes.require(ctx, CHAT);
    JsonObject body = JsonBodies.object(ctx);
    Object stream = body.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      throw ErrorCode.INVALID_REQUEST.exception("'stream' must be true or false");
    }
    JsonObject request = new JsonObject().put("tenant", principal.tenant()).put("kb", ctx.pathParam("kb"));
    for (String field : new String[]{"question", "conversationId", "k", "generator", "filter", "sampling"}) {
      if (body.containsKey(field)) {
        request.put(field, body.getValue(field));
      }
    }
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    if (Boolean.TRUE.equals(stream) || accept != null && accept.contains("text/event-stream")) {
      streamed(ctx, request);
    } else {
      budget.charging(Principal.of(ctx), ReflexClient.ask(vertx, request, timeoutMs, AskRoutes.refresh(ctx), null).reply())
        .onSuccess(answer -> headers(ctx, answer).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(answer.body()))
        .onFailure(ctx::fail);
    }
  }

  private void streamed(RoutingContext ctx, JsonObject request) {
    SseStream sse = SseStream.open(vertx, ctx, config.sseHeartbeatMs());
    HeldEvents held = new HeldEvents(sse);
    ctx.response().putHeader(ReflexAnswer.CACHE_HEADER, "miss");
    ReflexClient.Call call = ReflexClient.ask(vertx, request, timeoutMs, AskRoutes.refresh(ctx), (event, data) -> {
      markHit(ctx, event, data);
      held.accept(event, data);
    });
    sse.onClose(call::cancel);
    budget.charging(Principal.of(ctx), call.reply())
      .onSuccess(answer -> {
        held.release();
        sse.event("done", answer.json());
        sse.end();
      })
      .onFailure(failure -> {
        if (sse.unstarted()) {
          sse.end();
          ctx.fail(failure);
        } else {
          sse.event("error", ErrorResponder.body(failure));
          sse.end();
        }
      });
  }

  /** Whether the client asked for a fresh answer ({@code Cache-Control: no-cache}). */
  static boolean refresh(RoutingContext ctx) {
    String control = ctx.request().getHeader(HttpHeaders.CACHE_CONTROL);
    return control != null && control.toLowerCase(java.util.Locale.ROOT).contains("no-cache");
  }

  /** Sets the response headers of a non-streamed answer: cache status, and the rule if one answered. */
  static io.vertx.core.http.HttpServerResponse headers(RoutingContext ctx, ReflexAnswer answer) {
    if (answer.rule() != null) {
      ctx.response().putHeader(ReflexAnswer.RULE_HEADER, answer.rule());
    }
    return ctx.response().putHeader(ReflexAnswer.CACHE_HEADER, answer.cacheStatus());
  }

  /** A replayed stream starts with a {@code cache} (or {@code rule}) step, before anything is written. */
  static void markHit(RoutingContext ctx, String event, JsonObject data) {
    if (AskStreams.STEP.equals(event) && !ctx.response().headWritten()) {
      String step = data.getString("name");
      if ("cache".equals(step)) {
        ctx.response().putHeader(ReflexAnswer.CACHE_HEADER, "hit");
      } else if ("rule".equals(step) && data.getValue("rule") instanceof String rule) {
        ctx.response().putHeader(ReflexAnswer.RULE_HEADER, rule);
      }
    }
  }

  /**
   * Holds the first step events back until retrieval has answered, so an ask refused for an unknown knowledge base
   * or conversation, an invalid field or a blocked question is a plain HTTP error with its status, not a stream.
   * Event-loop confined.
   */
  private static final class HeldEvents {

    private final SseStream sse;
    private final List<Map.Entry<String, JsonObject>> held = new ArrayList<>();
    private boolean released;

    HeldEvents(SseStream sse) {
      this.sse = sse;
    }

    void accept(String event, JsonObject data) {
      if (released) {
        sse.event(event, data);
        return;
      }
      held.add(Map.entry(event, data));
      if (!AskStreams.STEP.equals(event)
        || "retrieve".equals(data.getString("name")) && !"failed".equals(data.getString("status"))) {
        release();
      }
    }

    void release() {
      if (!released) {
        released = true;
        held.forEach(e -> sse.event(e.getKey(), e.getValue()));
        held.clear();
      }
    }
  }
}
