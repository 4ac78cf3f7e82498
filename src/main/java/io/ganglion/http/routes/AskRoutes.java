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
import io.vertx.core.http.HttpMethod;
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

  /** The route template; also the {@code route} label of the request's HTTP metrics. */
  public static final String PATH = "/v1/kbs/:kb/ask";
  private static final String PREFIX = "/v1/kbs/";
  private static final String SUFFIX = "/ask";
  private static final String APPLICATION_JSON = "application/json";

  private final AskEdge edge;
  private final AskBodies bodies = new AskBodies();

  /** @param timeoutMs deadline of the whole ask over the bus (the HTTP request budget) */
  public AskRoutes(Vertx vertx, OrchestrationConfig config, long timeoutMs, TokenBudget budget,
                       EdgeAdmission admission) {
    this.edge = new AskEdge(vertx, admission, budget, timeoutMs, config.sseHeartbeatMs());
  }

  public void mount(Router router) {
    router.post(PATH).consumes("application/json").handler(ctx -> ask(ctx, ctx.pathParam("kb")));
  }

  /**
   * The last of the {@code /v1/*} guards: an ask in the plain form ({@code POST /v1/kbs/{kb}/ask} with a knowledge
   * base name that needs no decoding and {@code Content-Type: application/json}, parameters allowed) is answered here,
   * as the ask route would answer it, and named {@value #PATH} for the HTTP metrics; any other request goes on to the
   * router, which matches it against every route as before (the ask route included: a trailing slash, a
   * percent-encoded name, another content type). This spares the ask the router's regular expression for
   * {@code :kb} and its content-type parse, a few microseconds of a cached answer's ~50.
   */
  public void direct(RoutingContext ctx) {
    String kb = ctx.request().method() == HttpMethod.POST ? plainKb(ctx.normalizedPath()) : null;
    if (kb == null || !json(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
      ctx.next();
      return;
    }
    ctx.request().routed(PATH);
    ask(ctx, kb);
  }

  /** The knowledge base of {@code /v1/kbs/{kb}/ask} when {@code kb} is one segment without escapes, else null. */
  static String plainKb(String path) {
    if (path == null || !path.startsWith(PREFIX) || !path.endsWith(SUFFIX)
      || path.length() <= PREFIX.length() + SUFFIX.length()) {
      return null;
    }
    int end = path.length() - SUFFIX.length();
    for (int i = PREFIX.length(); i < end; i++) {
      char c = path.charAt(i);
      if (c == '/' || c == '%') {
        return null;
      }
    }
    return path.substring(PREFIX.length(), end);
  }

  /**
   * {@code application/json} in lower case, alone or followed by parameters ({@code ;charset=utf-8}): a form the
   * route's {@code consumes} accepts (any other form is left to the router to accept or refuse with 415).
   */
  static boolean json(String contentType) {
    int length = APPLICATION_JSON.length();
    return contentType != null && contentType.startsWith(APPLICATION_JSON)
      && (contentType.length() == length || contentType.charAt(length) == ';');
  }

  private void ask(RoutingContext ctx, String kb) {
    Principal principal = Scopes.require(ctx, CHAT);
    // a repeated body is not decoded again: the request (shared, read only) and its cache key are remembered
    AskBodies.Ask ask = bodies.ask(ctx, principal.tenant(), kb);
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
