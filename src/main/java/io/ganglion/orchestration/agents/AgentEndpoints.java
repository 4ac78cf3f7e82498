package io.ganglion.orchestration.agents;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.ganglion.generation.ChatMessage;
import io.ganglion.generation.ChatRequest;
import io.ganglion.generation.ChatResult;
import io.ganglion.generation.ChatStream;
import io.ganglion.generation.LlmProviders;
import io.ganglion.generation.ProviderException;
import io.ganglion.orchestration.agents.impl.AgentRuns;
import io.ganglion.orchestration.impl.OutputGuard;
import io.ganglion.orchestration.impl.ReflexHook;
import io.ganglion.orchestration.tools.Tools;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The orchestrator's addresses for tools, agents, runs and direct provider chat (contracts in verticles.md):
 * {@code ganglion.orchestrator.tools.list}, {@code .agent.create|get|update|delete|list},
 * {@code .run.start|get|list|cancel|approve|reject} (start and approve stream per {@link RunStreams}),
 * {@code .llm.chat}. Every request carries {@code tenant}, filled by the HTTP layer from the credential.
 * <p>
 * <b>NOTE</b>: handlers run on the orchestrator's event loop and never block.
 */
public final class AgentEndpoints {

  private static final Logger LOG = LoggerFactory.getLogger(AgentEndpoints.class);
  private static final int MAX_PAGE = 100;

  private final Vertx vertx;
  private final AgentRuns runs;
  private final Tools tools;
  private final LlmProviders llm;
  private final ReflexHook reflex;
  private final AgentsConfig config;
  private final long hopTimeoutMs;

  public AgentEndpoints(Vertx vertx, AgentRuns runs, Tools tools, LlmProviders llm, AgentsConfig config,
                        long hopTimeoutMs) {
    this.vertx = vertx;
    this.runs = runs;
    this.tools = tools;
    this.llm = llm;
    this.reflex = new ReflexHook(vertx);
    this.config = config;
    this.hopTimeoutMs = hopTimeoutMs;
  }

  /** Registers every consumer; completes when all are registered. */
  public Future<Void> register() {
    EventBus bus = vertx.eventBus();
    return Future.all(List.of(
      bus.<JsonObject>consumer(Addresses.ORCHESTRATOR_TOOLS_LIST, msg -> answer(msg, this::toolsList)).completion(),
      bus.<JsonObject>consumer(Addresses.ORCHESTRATOR_AGENT_CREATE, msg -> answer(msg, b -> runs.catalog()
        .create(tenant(b), object(b, "agent")))).completion(),
      bus.<JsonObject>consumer(Addresses.ORCHESTRATOR_AGENT_GET, msg -> answer(msg, b -> runs.catalog()
        .find(tenant(b), name(b)).map(f -> f.toJson()))).completion(),
      bus.<JsonObject>consumer(Addresses.ORCHESTRATOR_AGENT_UPDATE, msg -> answer(msg, b -> runs.catalog()
        .update(tenant(b), name(b), object(b, "agent")))).completion(),
      bus.<JsonObject>consumer(Addresses.ORCHESTRATOR_AGENT_DELETE, msg -> answer(msg, b -> runs.catalog()
        .delete(tenant(b), name(b)))).completion(),
      bus.<JsonObject>consumer(Addresses.ORCHESTRATOR_AGENT_LIST, msg -> answer(msg, b -> runs.catalog()
        .list(tenant(b), b.getString("after"), limit(b)))).completion(),
      bus.<JsonObject>consumer(Addresses.ORCHESTRATOR_RUN_START, this::start).completion(),
      bus.<JsonObject>consumer(Addresses.ORCHESTRATOR_RUN_APPROVE, this::approve).completion(),
      bus.<JsonObject>consumer(Addresses.ORCHESTRATOR_RUN_REJECT, msg -> answer(msg, b -> runs.reject(tenant(b), id(b),
        b.getString("reason")))).completion(),
      bus.<JsonObject>consumer(Addresses.ORCHESTRATOR_RUN_CANCEL, msg -> answer(msg, b -> runs.cancel(tenant(b), id(b))))
        .completion(),
      bus.<JsonObject>consumer(Addresses.ORCHESTRATOR_RUN_GET, msg -> answer(msg, b -> runs.get(tenant(b), id(b))))
        .completion(),
      bus.<JsonObject>consumer(Addresses.ORCHESTRATOR_RUN_LIST, msg -> answer(msg, b -> runs.list(tenant(b),
        AgentSpec.NAME.matcher(name(b, "agent")).matches() ? name(b, "agent") : invalidName(), b.getString("after"),
        limit(b)))).completion(),
      bus.<JsonObject>consumer(Addresses.ORCHESTRATOR_RUN_CHANGED, msg -> runs.changedElsewhere(msg.body())).completion(),
      bus.<JsonObject>consumer(Addresses.ORCHESTRATOR_LLM_CHAT, this::chat).completion())).mapEmpty();
  }

  private Future<JsonObject> toolsList(JsonObject body) {
    return Future.succeededFuture(tools.list(tenant(body), scopes(body.getJsonArray("scopes", new JsonArray()))));
  }

  private void start(Message<JsonObject> msg) {
    JsonObject b = msg.body();
    AgentRuns.Start start;
    try {
      String input = b.getValue("input") instanceof String s ? s : null;
      if (input == null || input.isBlank()) {
        throw ErrorCode.INVALID_REQUEST.exception("'input' is required and must be a non-empty string");
      }
      if (input.length() > config.maxInputChars()) {
        throw ErrorCode.PAYLOAD_TOO_LARGE.exception("'input' is longer than " + config.maxInputChars() + " characters");
      }
      Object detach = b.getValue("detach");
      if (detach != null && !(detach instanceof Boolean)) {
        throw ErrorCode.INVALID_REQUEST.exception("'detach' must be true or false");
      }
      start = new AgentRuns.Start(tenant(b), principal(b), name(b, "agent"), input, history(b), conversation(b),
        Boolean.TRUE.equals(detach));
    } catch (RuntimeException e) {
      fail(msg, e);
      return;
    }
    streamed(msg, (events, waitMs, started) -> runs.start(start, events, waitMs, started));
  }

  private void approve(Message<JsonObject> msg) {
    JsonObject b = msg.body();
    String tenant;
    UUID id;
    try {
      tenant = tenant(b);
      id = id(b);
    } catch (RuntimeException e) {
      fail(msg, e);
      return;
    }
    streamed(msg, (events, waitMs, started) -> {
      started.accept(id);
      return runs.approve(tenant, id, events, waitMs);
    });
  }

  /** A run request whose events go to the stream header's address, cancellable at its {@code .cancel} address. */
  /** Starts or resumes a run: its events, how long the reply may wait, and who to tell the run's id. */
  @FunctionalInterface
  private interface RunCall {
    Future<JsonObject> apply(BiConsumer<String, JsonObject> events, long waitMs, java.util.function.Consumer<UUID> started);
  }

  private void streamed(Message<JsonObject> msg, RunCall call) {
    String stream = msg.headers().get(RunStreams.STREAM_HEADER);
    long waitMs = Math.max(1, msg.body().getLong("waitMs", 25_000L));
    java.util.concurrent.atomic.AtomicReference<UUID> runId = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean gone = new java.util.concurrent.atomic.AtomicBoolean();
    BiConsumer<String, JsonObject> events = stream == null ? (event, data) -> { } : (event, data) ->
      vertx.eventBus().send(stream, new JsonObject().put("event", event).put("data", data));
    MessageConsumer<Object> cancel = stream == null ? null : vertx.eventBus().consumer(stream + RunStreams.CANCEL_SUFFIX,
      m -> {
        gone.set(true);
        UUID id = runId.get();
        if (id != null) {
          runs.disconnected(id);
        }
      });
    java.util.function.Consumer<UUID> started = id -> {
      runId.set(id);
      if (gone.get()) {
        runs.disconnected(id);
      }
    };
    Future<JsonObject> reply;
    try {
      reply = call.apply(events, waitMs, started);
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    reply.onSuccess(msg::reply).onFailure(failure -> fail(msg, failure)).onComplete(done -> {
      if (cancel != null) {
        cancel.unregister();
      }
    });
  }

  /**
   * {@code {"tenant","provider","request":<ChatRequest JSON>}}: straight to a configured provider (no fallback), the
   * last user message through reflex input, the text through reflex output as it streams; replies the
   * {@link ChatResult} JSON.
   */
  private void chat(Message<JsonObject> msg) {
    String stream = msg.headers().get(io.ganglion.bus.AskStreams.STREAM_HEADER);
    ChatRequest request;
    io.ganglion.generation.ResilientProvider provider;
    try {
      String name = name(msg.body(), "provider");
      provider = llm.provider(name).orElseThrow(() -> ErrorCode.NOT_FOUND.exception("The model 'llm:" + name
        + "' does not exist: configured providers are " + llm.providers().stream().map(p -> p.name()).toList()));
      request = ChatRequest.fromJson(object(msg.body(), "request"));
      if (io.ganglion.generation.ResponseFormat.structured(request.responseFormat()) && !provider.supportsResponseFormat()) {
        throw ErrorCode.INVALID_REQUEST.exception("'response_format' is not supported by the provider '" + name
          + "': only OpenAI-compatible providers take it");
      }
    } catch (IllegalArgumentException | ClassCastException e) {
      fail(msg, ErrorCode.INVALID_REQUEST.exception("the chat request is malformed: " + e.getMessage()));
      return;
    } catch (RuntimeException e) {
      fail(msg, e);
      return;
    }
    String lastUser = request.messages().stream().filter(m -> m.role() == ChatMessage.Role.USER)
      .reduce((a, b) -> b).map(ChatMessage::content).orElse("");
    io.vertx.core.eventbus.DeliveryOptions hop = io.ganglion.bus.Deadlines.within(hopTimeoutMs);
    reflex.inspect(lastUser, "input", tenant(msg.body()), null, hop).compose(inspection -> {
      if (inspection.blocked()) {
        return Future.failedFuture(ErrorCode.UNPROCESSABLE.exception("the message was blocked by policy"));
      }
      OutputGuard guard = new OutputGuard(reflex, tenant(msg.body()), null, () -> hop, true, text -> {
        if (stream != null) {
          vertx.eventBus().send(stream, new JsonObject().put("event", "token").put("data", new JsonObject().put("text", text)));
        }
      });
      ChatStream call = provider.stream(request, guard::accept);
      MessageConsumer<Object> cancel = stream == null ? null
        : vertx.eventBus().consumer(stream + io.ganglion.bus.AskStreams.CANCEL_SUFFIX, m -> call.cancel());
      return call.result()
        .compose(result -> guard.finish().map(text -> new ChatResult(text, result.finishReason(), result.usage(),
          result.model(), result.provider(), result.toolCalls())))
        .recover(failure -> Future.failedFuture(failure instanceof ProviderException pe
          ? pe.errorCode().exception(pe.getMessage()) : failure))
        .eventually(() -> cancel == null ? Future.succeededFuture() : cancel.unregister());
    }).onSuccess(result -> msg.reply(result.toJson())).onFailure(failure -> fail(msg, failure));
  }

  private static void answer(Message<JsonObject> msg, Function<JsonObject, Future<JsonObject>> handler) {
    Future<JsonObject> reply;
    try {
      reply = handler.apply(msg.body());
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    reply.onSuccess(msg::reply).onFailure(failure -> fail(msg, failure));
  }

  private static void fail(Message<?> msg, Throwable failure) {
    ErrorCode code = ErrorCode.of(failure);
    if (code == ErrorCode.INTERNAL) {
      LOG.error("agent request failed", failure);
    }
    msg.fail(code.code(), code == ErrorCode.INTERNAL ? "internal error" : failure.getMessage());
  }

  private static String tenant(JsonObject body) {
    Object tenant = body.getValue("tenant");
    if (!(tenant instanceof String t) || t.isBlank()) {
      throw ErrorCode.INVALID_REQUEST.exception("'tenant' is required");
    }
    return t;
  }

  private static String name(JsonObject body) {
    return name(body, "name");
  }

  private static String name(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof String s) || s.isBlank()) {
      throw ErrorCode.INVALID_REQUEST.exception("'" + field + "' is required");
    }
    return s;
  }

  private static String invalidName() {
    throw ErrorCode.INVALID_REQUEST.exception("'agent' is not an agent name");
  }

  private static JsonObject object(JsonObject body, String field) {
    if (!(body.getValue(field) instanceof JsonObject o)) {
      throw ErrorCode.INVALID_REQUEST.exception("'" + field + "' must be a JSON object");
    }
    return o;
  }

  private static UUID id(JsonObject body) {
    try {
      return UUID.fromString(name(body, "id"));
    } catch (IllegalArgumentException e) {
      throw ErrorCode.NOT_FOUND.exception("no run " + body.getValue("id"));
    }
  }

  private static UUID conversation(JsonObject body) {
    Object value = body.getValue("conversationId");
    if (value == null) {
      return null;
    }
    try {
      return UUID.fromString(String.valueOf(value));
    } catch (IllegalArgumentException e) {
      throw ErrorCode.NOT_FOUND.exception("no conversation '" + value + "'");
    }
  }

  private static int limit(JsonObject body) {
    Object value = body.getValue("limit");
    if (value == null) {
      return 20;
    }
    if (!(value instanceof Number n) || n.intValue() < 1 || n.intValue() > MAX_PAGE) {
      throw ErrorCode.INVALID_REQUEST.exception("'limit' must be from 1 to " + MAX_PAGE);
    }
    return n.intValue();
  }

  private static JsonObject principal(JsonObject body) {
    JsonObject principal = body.getValue("principal") instanceof JsonObject p ? p : new JsonObject();
    if (!(principal.getValue("subject") instanceof String)) {
      throw ErrorCode.INVALID_REQUEST.exception("'principal' with a 'subject' is required");
    }
    return new JsonObject().put("subject", principal.getString("subject"))
      .put("scopes", principal.getJsonArray("scopes", new JsonArray())).put("keyId", principal.getValue("keyId"))
      .put("tokensPerDay", principal.getValue("tokensPerDay"));
  }

  private static List<ChatMessage> history(JsonObject body) {
    JsonArray turns = body.getValue("history") instanceof JsonArray a ? a : new JsonArray();
    return turns.stream().map(t -> {
      ChatMessage m = ChatMessage.fromJson((JsonObject) t);
      if (m.role() != ChatMessage.Role.USER && m.role() != ChatMessage.Role.ASSISTANT) {
        throw ErrorCode.INVALID_REQUEST.exception("'history' holds user and assistant turns only");
      }
      return m;
    }).toList();
  }

  private static Set<String> scopes(JsonArray scopes) {
    Set<String> set = new HashSet<>();
    scopes.forEach(s -> set.add(String.valueOf(s)));
    return set;
  }
}
