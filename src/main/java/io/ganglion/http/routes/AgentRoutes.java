package io.ganglion.http.routes;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.ganglion.http.JsonBodies;
import io.ganglion.http.Replies;
import io.ganglion.http.SseStream;
import io.ganglion.http.auth.Principal;
import io.ganglion.http.auth.Scopes;
import io.ganglion.orchestration.agents.RunClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Agents, their runs and tools:
 * <ul>
 *   <li>{@code GET /v1/tools} (any credential): the tools the caller may use.</li>
 *   <li>{@code POST /v1/agents}, {@code PUT}/{@code DELETE /v1/agents/{name}} ({@code admin} or {@code agents:write});
 *   {@code GET /v1/agents}, {@code GET /v1/agents/{name}} ({@code chat} or {@code agents:write}).</li>
 *   <li>{@code POST /v1/agents/{name}/runs} ({@code chat}, plus the agent's tool scopes): runs the agent; JSON, or SSE
 *   with {@code "stream":true} / {@code Accept: text/event-stream} ({@code step}, {@code tool_call},
 *   {@code tool_result}, {@code token}, then {@code done} with the run or {@code error}); a client that disconnects
 *   cancels the run unless it set {@code "detach":true}. A run that outlives the request answers 202 with its id and
 *   goes on. {@code GET /v1/agents/{name}/runs} pages the agent's runs.</li>
 *   <li>{@code GET /v1/runs/{id}}, {@code POST /v1/runs/{id}/cancel|approve|reject} ({@code chat}).</li>
 * </ul>
 */
public final class AgentRoutes {

  static final String AGENTS_WRITE = "agents:write";

  private final Vertx vertx;
  private final long timeoutMs;
  private final long busTimeoutMs;
  private final long heartbeatMs;

  /** @param timeoutMs the request budget: a run still going near its end is answered 202 */
  public AgentRoutes(Vertx vertx, long timeoutMs, long busTimeoutMs, long heartbeatMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.busTimeoutMs = busTimeoutMs;
    this.heartbeatMs = heartbeatMs;
  }

  public void mount(Router router) {
    router.get("/v1/tools").handler(this::tools);
    router.post("/v1/agents").consumes("application/json").handler(this::create);
    router.get("/v1/agents").handler(this::list);
    router.get("/v1/agents/:name").handler(ctx -> forward(ctx, Addresses.ORCHESTRATOR_AGENT_GET, readable(ctx)
      .put("name", ctx.pathParam("name")), 200));
    router.put("/v1/agents/:name").consumes("application/json").handler(ctx -> forward(ctx,
      Addresses.ORCHESTRATOR_AGENT_UPDATE, writable(ctx).put("name", ctx.pathParam("name"))
        .put("agent", JsonBodies.object(ctx)), 200));
    router.delete("/v1/agents/:name").handler(ctx -> vertx.eventBus().<JsonObject>request(
        Addresses.ORCHESTRATOR_AGENT_DELETE, writable(ctx).put("name", ctx.pathParam("name")),
        io.ganglion.bus.Deadlines.within(busTimeoutMs))
      .onSuccess(v -> ctx.response().setStatusCode(204).end())
      .onFailure(ctx::fail));
    router.post("/v1/agents/:name/runs").consumes("application/json").handler(this::run);
    router.get("/v1/agents/:name/runs").handler(ctx -> forward(ctx, Addresses.ORCHESTRATOR_RUN_LIST, chat(ctx)
      .put("agent", ctx.pathParam("name")).put("after", ctx.queryParams().get("after"))
      .put("limit", limit(ctx)), 200));
    router.get("/v1/runs/:id").handler(ctx -> forward(ctx, Addresses.ORCHESTRATOR_RUN_GET, chat(ctx)
      .put("id", ctx.pathParam("id")), 200));
    router.post("/v1/runs/:id/cancel").handler(ctx -> forward(ctx, Addresses.ORCHESTRATOR_RUN_CANCEL, chat(ctx)
      .put("id", ctx.pathParam("id")), 200));
    router.post("/v1/runs/:id/reject").handler(ctx -> {
      JsonObject body = ctx.body().length() > 0 ? JsonBodies.object(ctx) : new JsonObject();
      forward(ctx, Addresses.ORCHESTRATOR_RUN_REJECT, chat(ctx).put("id", ctx.pathParam("id"))
        .put("reason", body.getValue("reason") instanceof String r ? r : null), 200);
    });
    router.post("/v1/runs/:id/approve").handler(this::approve);
  }

  private void tools(RoutingContext ctx) {
    Principal principal = Principal.of(ctx);
    forward(ctx, Addresses.ORCHESTRATOR_TOOLS_LIST, new JsonObject().put("tenant", principal.tenant())
      .put("scopes", principal.toJson().getJsonArray("scopes")), 200);
  }

  private void create(RoutingContext ctx) {
    JsonObject request = writable(ctx).put("agent", JsonBodies.object(ctx));
    forward(ctx, Addresses.ORCHESTRATOR_AGENT_CREATE, request, 201);
  }

  private void list(RoutingContext ctx) {
    forward(ctx, Addresses.ORCHESTRATOR_AGENT_LIST, readable(ctx).put("after", ctx.queryParams().get("after"))
      .put("limit", limit(ctx)), 200);
  }

  private void run(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx);
    Principal principal = Scopes.require(ctx, AskRoutes.CHAT);
    Object stream = body.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      throw ErrorCode.INVALID_REQUEST.exception("'stream' must be true or false");
    }
    for (String field : body.fieldNames()) {
      if (!java.util.Set.of("input", "stream", "conversationId", "detach").contains(field)) {
        throw ErrorCode.INVALID_REQUEST.exception("unknown field '" + field + "'; a run takes input, stream, "
          + "conversationId and detach");
      }
    }
    JsonObject request = runRequest(principal, ctx.pathParam("name"), body.getValue("input"))
      .put("conversationId", body.getValue("conversationId")).put("detach", body.getValue("detach"));
    respond(ctx, Addresses.ORCHESTRATOR_RUN_START, request, Boolean.TRUE.equals(stream) || wantsStream(ctx));
  }

  private void approve(RoutingContext ctx) {
    JsonObject body = ctx.body().length() > 0 ? JsonBodies.object(ctx) : new JsonObject();
    JsonObject request = chat(ctx).put("id", ctx.pathParam("id"));
    respond(ctx, Addresses.ORCHESTRATOR_RUN_APPROVE, request, Boolean.TRUE.equals(body.getValue("stream"))
      || wantsStream(ctx));
  }

  /** The request of {@code ganglion.orchestrator.run.start}, for these routes and chat completions. */
  static JsonObject runRequest(Principal principal, String agent, Object input) {
    return new JsonObject().put("tenant", principal.tenant()).put("agent", agent).put("input", input)
      .put("principal", principal.toJson());
  }

  /** Sends a run request and answers it: JSON (202 while it still runs), or the event stream. */
  private void respond(RoutingContext ctx, String address, JsonObject request, boolean streamed) {
    // the reply comes a little before the request budget ends, so a long run is a 202, not a 504
    long waitMs = Math.max(100, timeoutMs - 1_500);
    request.put("waitMs", waitMs);
    if (!streamed) {
      RunClient.send(vertx, address, request, waitMs + busTimeoutMs, null).reply()
        .onSuccess(run -> Replies.json(ctx, "running".equals(run.getString("status")) ? 202 : 200, run))
        .onFailure(ctx::fail);
      return;
    }
    SseStream sse = SseStream.open(vertx, ctx, heartbeatMs);
    RunClient.Call call = RunClient.send(vertx, address, request, waitMs + busTimeoutMs, sse::event);
    sse.onClose(call::cancel);
    call.reply()
      .onSuccess(run -> {
        sse.event("done", run);
        sse.end();
      })
      .onFailure(failure -> sse.fail(failure, body -> sse.event("error", body)));
  }

  private void forward(RoutingContext ctx, String address, JsonObject request, int status) {
    Replies.forward(vertx, ctx, address, request, busTimeoutMs, status);
  }

  private static JsonObject chat(RoutingContext ctx) {
    return new JsonObject().put("tenant", Scopes.require(ctx, AskRoutes.CHAT).tenant());
  }

  private static JsonObject writable(RoutingContext ctx) {
    Principal principal = Principal.of(ctx);
    if (principal == null || !(principal.has(AGENTS_WRITE))) {
      throw ErrorCode.FORBIDDEN.exception("this credential lacks the 'agents:write' (or 'admin') scope");
    }
    return new JsonObject().put("tenant", principal.tenant());
  }

  private static JsonObject readable(RoutingContext ctx) {
    Principal principal = Principal.of(ctx);
    if (principal == null || !(principal.has(AskRoutes.CHAT) || principal.has(AGENTS_WRITE))) {
      throw ErrorCode.FORBIDDEN.exception("this credential lacks the 'chat' (or 'agents:write') scope");
    }
    return new JsonObject().put("tenant", principal.tenant());
  }

  private static Integer limit(RoutingContext ctx) {
    String limit = ctx.queryParams().get("limit");
    if (limit == null) {
      return null;
    }
    try {
      return Integer.parseInt(limit);
    } catch (NumberFormatException e) {
      throw ErrorCode.INVALID_REQUEST.exception("'limit' must be a number");
    }
  }

  private static boolean wantsStream(RoutingContext ctx) {
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    return accept != null && accept.contains("text/event-stream");
  }
}
