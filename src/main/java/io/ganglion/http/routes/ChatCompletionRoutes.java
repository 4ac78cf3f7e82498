package io.ganglion.http.routes;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.ErrorCode;
import io.ganglion.bus.RequestIds;
import io.ganglion.orchestration.OrchestrationConfig;
import io.ganglion.http.FieldFailure;
import io.ganglion.http.JsonBodies;
import io.ganglion.http.OpenAiErrors;
import io.ganglion.http.Replies;
import io.ganglion.http.SseStream;
import io.ganglion.http.auth.Principal;
import io.ganglion.http.limits.EdgeAdmission;
import io.ganglion.http.limits.TokenBudget;
import io.ganglion.http.auth.Scopes;
import io.ganglion.bus.AskStreams;
import io.ganglion.reflex.ReflexAnswer;
import io.vertx.core.Future;
import io.ganglion.generation.LlmConfig;
import io.ganglion.generation.LlmProviderConfig;
import io.ganglion.generation.ResponseFormat;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.stream.Stream;

/**
 * The OpenAI-compatible API, so the official SDKs work unchanged against {@code http://host:port/v1}:
 * <ul>
 *   <li>{@code POST /v1/chat/completions} (scope {@code chat}): model {@code kb:<name>} answers the last user message
 *   from that knowledge base, the earlier turns serving as history for follow-up rewriting (nothing is stored but the
 *   trace). Citations are {@code [n]} markers in the text and an extra {@code citations} field (on the final chunk when
 *   streaming). Streaming follows OpenAI's chunk format exactly, ending with {@code data: [DONE]}; a usage chunk comes
 *   when {@code stream_options.include_usage} is true, as OpenAI does.</li>
 *   <li>{@code GET /v1/models} (scope {@code kb:read}): {@code kb:<name>} for each of the caller's knowledge bases,
 *   and the in-process models (embeddings, rerankers) by name.</li>
 * </ul>
 * Completions go through the reflex layer like {@code /ask} (rules, then the response cache: the earlier turns are
 * part of the key), with the same {@code X-Ganglion-Cache} and {@code X-Ganglion-Rule} headers.
 */
public final class ChatCompletionRoutes {

  static final String KB_PREFIX = "kb:";

  private final Vertx vertx;
  private final long timeoutMs;
  private final AskEdge edge;
  private final OpenAiTools tools;
  private final LlmConfig llm;

  /** @param llm the providers, to refuse a JSON {@code response_format} up front where none would honour it */
  public ChatCompletionRoutes(Vertx vertx, OrchestrationConfig config, LlmConfig llm, long timeoutMs, TokenBudget budget,
                              EdgeAdmission admission) {
    this.vertx = vertx;
    this.llm = llm;
    this.timeoutMs = timeoutMs;
    this.edge = new AskEdge(vertx, admission, budget, timeoutMs, config.sseHeartbeatMs());
    this.tools = new OpenAiTools(vertx, config, timeoutMs, budget);
  }

  public void mount(Router router) {
    router.post("/v1/chat/completions").consumes("application/json").handler(this::complete);
    router.get("/v1/models").handler(this::models);
    router.get("/v1/models/:model").handler(this::model);
  }

  private void models(RoutingContext ctx) {
    modelList(modelReader(ctx))
      .onSuccess(data -> Replies.json(ctx, 200, new JsonObject().put("object", "list").put("data", data)))
      .onFailure(ctx::fail);
  }

  private void model(RoutingContext ctx) {
    String id = ctx.pathParam("model");
    modelList(modelReader(ctx))
      .onSuccess(data -> data.stream().map(JsonObject.class::cast).filter(m -> id.equals(m.getString("id"))).findFirst()
        .ifPresentOrElse(m -> Replies.json(ctx, 200, m),
          () -> ctx.fail(FieldFailure.of(ErrorCode.NOT_FOUND, "model", "The model '" + id + "' does not exist"))))
      .onFailure(ctx::fail);
  }

  /** Listing models needs {@code kb:read} or {@code chat} (a chat-only key can discover what it may ask). */
  private static Principal modelReader(RoutingContext ctx) {
    Principal principal = Principal.of(ctx);
    return principal != null && principal.has(AskRoutes.CHAT) ? principal : Scopes.require(ctx, KbRoutes.READ);
  }

  private Future<JsonArray> modelList(Principal principal) {
    Future<JsonObject> kbs = vertx.eventBus().<JsonObject>request(Addresses.local(Addresses.RETRIEVAL_KB_LIST),
      new JsonObject().put("tenant", principal.tenant()), Deadlines.within(timeoutMs)).map(Message::body);
    // the in-process models (embeddings, rerankers) are listed too; their absence does not fail the list
    Future<JsonObject> inProcess = vertx.eventBus().<JsonObject>request(Addresses.local(Addresses.INFERENCE_MODELS), new JsonObject(),
      Deadlines.within(timeoutMs)).map(Message::body).otherwise(new JsonObject());
    return Future.all(kbs, inProcess).map(both -> {
      JsonArray data = new JsonArray();
      kbs.result().getJsonArray("kbs", new JsonArray()).forEach(kb -> {
        JsonObject k = (JsonObject) kb;
        data.add(new JsonObject().put("id", KB_PREFIX + k.getString("name")).put("object", "model")
          .put("created", epochSeconds(k.getString("createdAt"))).put("owned_by", "ganglion"));
      });
      inProcess.result().getJsonArray("models", new JsonArray()).forEach(m -> {
        JsonObject model = (JsonObject) m;
        data.add(new JsonObject().put("id", model.getString("name")).put("object", "model").put("created", 0)
          .put("owned_by", "ganglion").put("kind", model.getString("kind")).put("dims", model.getInteger("dims")));
      });
      return data;
    });
  }

  private void complete(RoutingContext ctx) {
    Principal principal = Scopes.require(ctx, AskRoutes.CHAT);
    JsonObject body = JsonBodies.object(ctx);
    String model = body.getValue("model") instanceof String m ? m : "";
    if (model.startsWith(OpenAiTools.LLM_PREFIX) && model.length() > OpenAiTools.LLM_PREFIX.length()) {
      refuseFormat(body, llm.providers().get(model.substring(OpenAiTools.LLM_PREFIX.length())));
      tools.complete(ctx, principal, body);
      return;
    }
    String clientTools = OpenAiTools.CLIENT_TOOL_FIELDS.stream().filter(body::containsKey).findFirst().orElse(null);
    if (clientTools != null) {
      throw FieldFailure.invalid(clientTools, "'" + clientTools + "' is not supported with the model '" + model + "': the "
        + "server runs kb: and agent: models itself; pass client tools with an llm:<provider> model");
    }
    if (model.startsWith(OpenAiTools.AGENT_PREFIX) && model.length() > OpenAiTools.AGENT_PREFIX.length()) {
      OpenAiChat chat = OpenAiChat.parse(body);
      String sampling = Stream.of("temperature", "max_tokens", "max_completion_tokens", "stop", "seed", "user", "top_p",
          "response_format")
        .filter(body::containsKey).findFirst().orElse(null);
      if (sampling != null) {
        throw FieldFailure.invalid(sampling, "'" + sampling + "' is not supported with the model '" + model
          + "': an agent's model calls follow its own configuration");
      }
      tools.agent(ctx, principal, chat);
      return;
    }
    OpenAiChat chat = OpenAiChat.parse(body);
    if (!chat.model().startsWith(KB_PREFIX) || chat.model().length() == KB_PREFIX.length()) {
      throw FieldFailure.of(ErrorCode.NOT_FOUND, "model", "The model '" + chat.model() + "' does not exist: use "
        + "kb:<knowledge base>, agent:<agent> or llm:<provider>");
    }
    refuseFormat(body, llm.defaultProvider() == null ? null : llm.provider(llm.defaultProvider()));
    JsonObject request = new JsonObject().put("tenant", principal.tenant())
      .put("kb", chat.model().substring(KB_PREFIX.length())).put("question", chat.question()).put("history", chat.history());
    if (!chat.sampling().isEmpty()) {
      request.put("sampling", chat.sampling());
    }
    if (chat.stream()) {
      OpenAiChat.Chunks chunks = new OpenAiChat.Chunks("chatcmpl-" + RequestIds.generate(), chat.model(),
        Instant.now().getEpochSecond(), chat.includeUsage());
      edge.stream(ctx, request, sse -> new ChunkStream(sse, chunks, chat.includeUsage()));
    } else {
      edge.answer(ctx, request, answer -> answer.rendered(chat.model(),
        json -> OpenAiChat.completion(chat.model(), json).toBuffer()));
    }
  }

  /**
   * A 400 naming {@code response_format} when it asks for JSON and {@code provider}, the one that would answer, does not
   * take it: the extractive generator ({@code null}) or an Anthropic provider. An unknown provider is left to the
   * orchestrator's 404.
   */
  private static void refuseFormat(JsonObject body, LlmProviderConfig provider) {
    Object format = body.getValue("response_format");
    if (!(format instanceof JsonObject json) || !ResponseFormat.structured(json)) {
      return;
    }
    if (provider == null) {
      throw FieldFailure.invalid("response_format", "'response_format' " + json.getString("type") + " is not supported "
        + "here: no LLM provider is configured, and the extractive generator answers in text");
    }
    if (provider.type() != LlmProviderConfig.Type.OPENAI) {
      throw FieldFailure.invalid("response_format", "'response_format' " + json.getString("type") + " is not supported "
        + "by the provider '" + provider.name() + "' (" + provider.type().name().toLowerCase(java.util.Locale.ROOT)
        + "): only OpenAI-compatible providers take it");
    }
  }

  /**
   * Writes an answer as OpenAI chunks: the role chunk waits for the first token (so a refused request is still a plain
   * HTTP error), each token a content chunk, then the finish chunk with citations, the usage chunk when asked for, and
   * {@code [DONE]}; a late failure is one {@code data:} error object. Event-loop confined.
   */
  private record ChunkStream(SseStream sse, OpenAiChat.Chunks chunks, boolean includeUsage) implements AskEdge.Output {

    @Override
    public void event(String event, JsonObject data) {
      if (AskStreams.TOKEN.equals(event)) {
        startOnce();
        sse.data(chunks.content(data.getString("text")).encode());
      }
    }

    @Override
    public void done(ReflexAnswer reflexAnswer) {
      JsonObject answer = reflexAnswer.json();
      startOnce();
      sse.data(chunks.finish(answer).encode());
      if (includeUsage) {
        sse.data(chunks.usage(answer).encode());
      }
      sse.data("[DONE]");
    }

    @Override
    public void error(JsonObject error) {
      // OpenAI's shape in the stream too: type from the error's status, no param this late
      ErrorCode code = java.util.Arrays.stream(ErrorCode.values())
        .filter(c -> c.slug().equals(error.getJsonObject("error").getString("code"))).findFirst().orElse(ErrorCode.INTERNAL);
      sse.data(OpenAiErrors.decorate(error, code.status(), null).encode());
    }

    private void startOnce() {
      if (!chunks.started()) {
        chunks.markStarted();
        sse.data(chunks.role().encode());
      }
    }
  }

  private static long epochSeconds(String iso) {
    try {
      return java.time.OffsetDateTime.parse(iso).toEpochSecond();
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
