package io.ganglion.http.routes;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.ErrorCode;
import io.ganglion.bus.RequestIds;
import io.ganglion.generation.ToolDefinition;
import io.ganglion.http.FieldFailure;
import io.ganglion.http.Replies;
import io.ganglion.http.SseStream;
import io.ganglion.http.auth.Principal;
import io.ganglion.http.limits.TokenBudget;
import io.ganglion.bus.AskStreams;
import io.ganglion.orchestration.OrchestrationConfig;
import io.ganglion.orchestration.agents.RunClient;
import io.ganglion.orchestration.agents.RunStreams;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The chat-completions models beyond {@code kb:}: {@code agent:<name>} runs the agent on the last user message (the
 * earlier turns as its history) and answers with its output, as JSON or streamed chunks, so an OpenAI SDK uses agents
 * unchanged; {@code llm:<provider>} talks to a configured provider directly, passing the client's messages and
 * {@code tools} through (the client runs its tools: {@code tool_calls} come back in the reply, streamed as a
 * {@code delta.tool_calls} chunk).
 */
final class OpenAiTools {

  static final String AGENT_PREFIX = "agent:";
  static final String LLM_PREFIX = "llm:";

  /** Fields through which a client offers its own tools: passed through on {@code llm:}, refused elsewhere. */
  static final List<String> CLIENT_TOOL_FIELDS = List.of("tools", "tool_choice", "functions", "function_call");

  /**
   * The request fields an {@code llm:} model honours: the {@code kb:} set plus {@code tools}; anything else (including
   * {@code tool_choice}, which not every provider takes) is refused with a 400 naming it.
   */
  static final Set<String> LLM_SUPPORTED = Stream.concat(OpenAiChat.SUPPORTED.stream(), Stream.of("tools"))
    .collect(Collectors.toUnmodifiableSet());

  private final Vertx vertx;
  private final OrchestrationConfig config;
  private final long timeoutMs;
  private final TokenBudget budget;

  OpenAiTools(Vertx vertx, OrchestrationConfig config, long timeoutMs, TokenBudget budget) {
    this.vertx = vertx;
    this.config = config;
    this.timeoutMs = timeoutMs;
    this.budget = budget;
  }

  // agent:<name>

  void agent(RoutingContext ctx, Principal principal, OpenAiChat chat) {
    String agent = chat.model().substring(AGENT_PREFIX.length());
    long waitMs = Math.max(100, timeoutMs - 1_500);
    JsonObject request = AgentRoutes.runRequest(principal, agent, chat.question()).put("history", chat.history())
      .put("waitMs", waitMs);
    if (!chat.stream()) {
      RunClient.start(vertx, request, waitMs + 5_000, null).reply()
        .compose(OpenAiTools::completed)
        .onSuccess(run -> Replies.json(ctx, 200, OpenAiChat.completion(chat.model(), answer(run))
          .put("id", "chatcmpl-" + run.getString("id")).put("run_id", run.getString("id"))))
        .onFailure(ctx::fail);
      return;
    }
    SseStream sse = SseStream.open(vertx, ctx, config.sseHeartbeatMs());
    OpenAiChat.Chunks chunks = new OpenAiChat.Chunks("chatcmpl-" + RequestIds.generate(), chat.model(),
      Instant.now().getEpochSecond(), chat.includeUsage());
    RunClient.Call call = RunClient.start(vertx, request, waitMs + 5_000, (event, data) -> {
      if (RunStreams.TOKEN.equals(event)) {
        startOnce(sse, chunks);
        sse.data(chunks.content(data.getString("text")).encode());
      }
    });
    sse.onClose(call::cancel);
    call.reply().compose(OpenAiTools::completed)
      .onSuccess(run -> {
        startOnce(sse, chunks);
        sse.data(chunks.finish("stop").put("run_id", run.getString("id")).encode());
        if (chat.includeUsage()) {
          sse.data(chunks.usage(answer(run)).encode());
        }
        sse.data("[DONE]");
        sse.end();
      })
      .onFailure(failure -> fail(ctx, sse, failure));
  }

  /** A run that completed; any other end is an error the client can read. */
  private static Future<JsonObject> completed(JsonObject run) {
    String status = run.getString("status");
    if ("completed".equals(status)) {
      return Future.succeededFuture(run);
    }
    if ("running".equals(status)) {
      return Future.failedFuture(ErrorCode.TIMEOUT.exception("the agent run " + run.getString("id")
        + " is still running; read it with GET /v1/runs/" + run.getString("id")));
    }
    JsonObject error = run.getJsonObject("error", new JsonObject());
    return Future.failedFuture(ErrorCode.UNPROCESSABLE.exception("the agent run " + run.getString("id") + " ended "
      + status + (error.containsKey("message") ? ": " + error.getString("message") : "")));
  }

  private static JsonObject answer(JsonObject run) {
    return new JsonObject().put("answer", run.getString("output", "")).put("traceId", run.getString("id"))
      .put("usage", run.getJsonObject("usage")).put("citations", new JsonArray()).put("generator", "agent")
      .put("abstained", false);
  }

  // llm:<provider>

  void complete(RoutingContext ctx, Principal principal, JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!LLM_SUPPORTED.contains(field)) {
        throw FieldFailure.invalid(field, "'" + field + "' is not supported with llm: models (supported: "
          + String.join(", ", new TreeSet<>(LLM_SUPPORTED)) + ")");
      }
    }
    Object n = body.getValue("n");
    if (n != null && !(n instanceof Number number && number.doubleValue() == 1)) {
      throw FieldFailure.invalid("n", "only n=1 is supported: one answer per request");
    }
    String model = body.getString("model");
    JsonObject request = new JsonObject().put("tenant", principal.tenant())
      .put("provider", model.substring(LLM_PREFIX.length())).put("request", chatRequest(body));
    Object stream = body.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      throw FieldFailure.invalid("stream", "'stream' must be a boolean");
    }
    JsonObject options = body.getValue("stream_options") instanceof JsonObject o ? o : new JsonObject();
    boolean includeUsage = Boolean.TRUE.equals(options.getValue("include_usage"));
    if (!Boolean.TRUE.equals(stream)) {
      vertx.eventBus().<JsonObject>request(Addresses.ORCHESTRATOR_LLM_CHAT, request, Deadlines.within(timeoutMs))
        .map(Message::body)
        .onSuccess(result -> {
          charge(principal, result);
          Replies.json(ctx, 200, completion(model, result));
        })
        .onFailure(ctx::fail);
      return;
    }
    SseStream sse = SseStream.open(vertx, ctx, config.sseHeartbeatMs());
    OpenAiChat.Chunks chunks = new OpenAiChat.Chunks("chatcmpl-" + RequestIds.generate(), model,
      Instant.now().getEpochSecond(), includeUsage);
    String address = AskStreams.STREAM_PREFIX + RequestIds.generate();
    MessageConsumer<JsonObject> tokens = vertx.eventBus().consumer(address, msg -> {
      if ("token".equals(msg.body().getString("event"))) {
        startOnce(sse, chunks);
        sse.data(chunks.content(msg.body().getJsonObject("data").getString("text")).encode());
      }
    });
    sse.onClose(() -> vertx.eventBus().send(address + AskStreams.CANCEL_SUFFIX, new JsonObject()));
    tokens.completion()
      .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.ORCHESTRATOR_LLM_CHAT, request,
        Deadlines.within(timeoutMs).addHeader(AskStreams.STREAM_HEADER, address)))
      .map(Message::body)
      .eventually(tokens::unregister)
      .onSuccess(result -> {
        charge(principal, result);
        startOnce(sse, chunks);
        JsonArray calls = toolCalls(result);
        if (!calls.isEmpty()) {
          sse.data(chunks.toolCalls(calls).encode());
        }
        sse.data(chunks.finish(result.getString("finishReason", "stop")).encode());
        if (includeUsage) {
          sse.data(chunks.usage(result).encode());
        }
        sse.data("[DONE]");
        sse.end();
      })
      .onFailure(failure -> fail(ctx, sse, failure));
  }

  private void charge(Principal principal, JsonObject result) {
    budget.charge(principal, result.getJsonObject("usage", new JsonObject()).getLong("total_tokens", 0L));
  }

  /** The client's chat turned into the orchestrator's {@code ChatRequest} JSON, tools and tool turns included. */
  static JsonObject chatRequest(JsonObject body) {
    if (!(body.getValue("messages") instanceof JsonArray messages) || messages.isEmpty()) {
      throw FieldFailure.invalid("messages", "'messages' must be a non-empty array");
    }
    StringBuilder system = new StringBuilder();
    JsonArray turns = new JsonArray();
    for (int i = 0; i < messages.size(); i++) {
      if (!(messages.getValue(i) instanceof JsonObject m) || !(m.getValue("role") instanceof String role)) {
        throw FieldFailure.invalid("messages[" + i + "].role", "each message needs a 'role'");
      }
      String content = OpenAiChat.text(m.getValue("content"), i);
      switch (role) {
        case "system", "developer" -> system.append(system.isEmpty() ? "" : "\n\n").append(content);
        case "user" -> turns.add(new JsonObject().put("role", "user").put("content", content));
        case "assistant" -> {
          JsonObject turn = new JsonObject().put("role", "assistant").put("content", content);
          if (m.getValue("tool_calls") instanceof JsonArray calls && !calls.isEmpty()) {
            JsonArray mapped = new JsonArray();
            for (Object c : calls) {
              JsonObject call = (JsonObject) c;
              JsonObject function = call.getJsonObject("function", new JsonObject());
              mapped.add(new JsonObject().put("id", call.getString("id")).put("name", function.getString("name"))
                .put("arguments", function.getString("arguments")));
            }
            turn.put("toolCalls", mapped);
          }
          turns.add(turn);
        }
        case "tool" -> {
          if (!(m.getValue("tool_call_id") instanceof String id)) {
            throw FieldFailure.invalid("messages[" + i + "].tool_call_id", "a 'tool' message needs 'tool_call_id'");
          }
          turns.add(new JsonObject().put("role", "tool").put("content", content).put("toolCallId", id));
        }
        default -> throw FieldFailure.invalid("messages[" + i + "].role", "unknown message role '" + role + "'");
      }
    }
    JsonObject request = new JsonObject().put("messages", turns);
    if (!system.isEmpty()) {
      request.put("system", system.toString());
    }
    request.mergeIn(OpenAiChat.sampling(body));
    if (body.getValue("tools") instanceof JsonArray tools) {
      JsonArray definitions = new JsonArray();
      for (Object t : tools) {
        JsonObject function = t instanceof JsonObject tool ? tool.getJsonObject("function") : null;
        if (function == null || !(function.getValue("name") instanceof String name)
          || !ToolDefinition.NAME.matcher(name).matches()) {
          throw FieldFailure.invalid("tools", "'tools' entries must be {type:function, function:{name, "
            + "description?, parameters?}} with names matching " + ToolDefinition.NAME.pattern());
        }
        definitions.add(new JsonObject().put("name", name).put("description", function.getString("description", ""))
          .put("parameters", function.getJsonObject("parameters", new JsonObject().put("type", "object"))));
      }
      request.put("tools", definitions);
    } else if (body.containsKey("tools")) {
      throw FieldFailure.invalid("tools", "'tools' must be an array");
    }
    return request;
  }

  private static JsonObject completion(String model, JsonObject result) {
    JsonArray calls = toolCalls(result);
    String text = result.getString("text", "");
    JsonObject message = new JsonObject().put("role", "assistant")
      .put("content", text.isEmpty() && !calls.isEmpty() ? null : text).putNull("refusal");
    if (!calls.isEmpty()) {
      message.put("tool_calls", calls);
    }
    return new JsonObject().put("id", "chatcmpl-" + RequestIds.generate()).put("object", "chat.completion")
      .put("created", Instant.now().getEpochSecond()).put("model", model)
      .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("message", message).putNull("logprobs")
        .put("finish_reason", result.getString("finishReason", "stop"))))
      .put("usage", result.getJsonObject("usage", new JsonObject())).putNull("system_fingerprint");
  }

  private static JsonArray toolCalls(JsonObject result) {
    JsonArray calls = new JsonArray();
    JsonArray found = result.getJsonArray("toolCalls", new JsonArray());
    for (int i = 0; i < found.size(); i++) {
      JsonObject c = found.getJsonObject(i);
      calls.add(new JsonObject().put("index", i).put("id", c.getString("id")).put("type", "function")
        .put("function", new JsonObject().put("name", c.getString("name")).put("arguments", c.getString("arguments"))));
    }
    return calls;
  }

  private static void startOnce(SseStream sse, OpenAiChat.Chunks chunks) {
    if (!chunks.started()) {
      chunks.markStarted();
      sse.data(chunks.role().encode());
    }
  }

  private static void fail(RoutingContext ctx, SseStream sse, Throwable failure) {
    sse.fail(failure, body -> sse.data(body.encode()));
  }
}
