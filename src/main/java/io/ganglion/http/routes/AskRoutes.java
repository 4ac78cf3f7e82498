package io.ganglion.http.routes;

import io.ganglion.orchestration.OrchestrationConfig;
import io.ganglion.http.SseStream;
import io.ganglion.http.auth.Principal;
import io.ganglion.http.limits.EdgeAdmission;
import io.ganglion.http.limits.TokenBudget;
import io.ganglion.http.auth.Scopes;
import io.ganglion.bus.AskStreams;
import io.ganglion.reflex.ReflexAnswer;
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
 * Every question goes through the reflex layer first ({@link AskEdge}, as chat completions do): a rule may block it (422), answer it or
 * route it; a cached answer is sent as is. {@code X-Ganglion-Cache} says {@code hit} or {@code miss};
 * {@code X-Ganglion-Rule} names a rule that answered or routed the question. {@code Cache-Control: no-cache} on the
 * request skips the cache look-up (the fresh answer replaces the cached one).
 */
public final class AskRoutes {

  public static final String CHAT = "chat";

  private final AskEdge edge;
  private final AskBodies bodies = new AskBodies();

  /** @param timeoutMs deadline of the whole ask over the bus (the HTTP request budget) */
  public AskRoutes(Vertx vertx, OrchestrationConfig config, long timeoutMs, TokenBudget budget,
                       EdgeAdmission admission) {
    this.edge = new AskEdge(vertx, admission, budget, timeoutMs, config.sseHeartbeatMs());
  }

  public void mount(Router router) {
    router.post("/v1/kbs/:kb/ask").consumes("application/json").handler(this::ask);
  }

  private void ask(RoutingContext ctx) {
    Principal principal = Scopes.require(ctx, CHAT);
    // a repeated body is not decoded again: the request (shared, read only) and its cache key are remembered
    AskBodies.Ask ask = bodies.ask(ctx, principal.tenant(), ctx.pathParam("kb"));
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    if (ask.stream() || accept != null && accept.contains("text/event-stream")) {
      edge.stream(ctx, ask.request().copy(), HeldEvents::new);
    } else {
      edge.answer(ctx, ask.request(), ask.keys(), ReflexAnswer::body);
    }
  }

  /**
   * Writes the ask's events as SSE ({@code step}, {@code token}, {@code citation}, then {@code done} or {@code error}),
   * holding the first step events back until retrieval has answered, so an ask refused for an unknown knowledge base
   * or conversation, an invalid field or a blocked question is a plain HTTP error with its status, not a stream.
   * Event-loop confined.
   */
  private static final class HeldEvents implements AskEdge.Output {

    private final SseStream sse;
    private final List<Map.Entry<String, JsonObject>> held = new ArrayList<>();
    private boolean released;

    HeldEvents(SseStream sse) {
      this.sse = sse;
    }

    @Override
    public void event(String event, JsonObject data) {
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

    @Override
    public void done(ReflexAnswer answer) {
      release();
      sse.event("done", answer.json());
    }

    @Override
    public void error(JsonObject error) {
      sse.event("error", error);
    }

    private void release() {
      if (!released) {
        released = true;
        held.forEach(e -> sse.event(e.getKey(), e.getValue()));
        held.clear();
      }
    }
  }
}
