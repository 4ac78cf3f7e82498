package io.ganglion.orchestration;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.AskStreams;
import io.ganglion.bus.Handlers;
import io.ganglion.bus.PublicAddress;
import io.ganglion.bus.Status;
import io.ganglion.config.GanglionConfig;
import io.ganglion.generation.LlmConfig;
import io.ganglion.generation.LlmProviders;
import io.ganglion.bus.MeterRegistries;
import io.ganglion.orchestration.agents.AgentEndpoints;
import io.ganglion.orchestration.agents.AgentsConfig;
import io.ganglion.orchestration.agents.impl.AgentCatalog;
import io.ganglion.orchestration.agents.impl.AgentRuns;
import io.ganglion.orchestration.agents.impl.RunServices;
import io.ganglion.orchestration.impl.ReflexHook;
import io.ganglion.orchestration.tools.Tools;
import io.ganglion.orchestration.tools.ToolsConfig;
import io.ganglion.reflex.IndirectInjectionPolicy;
import io.ganglion.store.AgentRepository;
import io.ganglion.store.RunRepository;
import io.vertx.redis.client.Redis;
import io.ganglion.orchestration.impl.AskPipeline;
import io.ganglion.orchestration.impl.AskWarmup;
import io.ganglion.retrieval.DurabilityConfig;
import io.ganglion.store.KbRepository;
import io.ganglion.orchestration.impl.Generation;
import io.ganglion.orchestration.impl.RecordQueries;
import io.ganglion.orchestration.impl.Records;
import io.ganglion.store.ConversationRepository;
import io.ganglion.store.Stores;
import io.ganglion.store.TraceRepository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;


/**
 * Orchestration: answers questions from a knowledge base with cited sources ({@link AskPipeline}), and keeps their
 * conversations and traces. Runs on an event loop and never blocks: every step is an event-bus hop or non-blocking SQL.
 * <p>
 * Addresses (contracts in verticles.md):
 * <ul>
 *   <li>{@code ganglion.orchestrator.ask} — {@link AskRequest} to the answer
 *   {@code {"answer","citations","generator","abstained","groundedness","conversationId","traceId","query","usage",
 *   "timings"}}; streaming per {@link AskStreams}. Fails 4000, 4040 (no such KB or conversation), 4130, 4220 (blocked by
 *   policy), 5030/5031 (embedding model or provider unavailable), 5040 (over {@code orchestration.timeoutMs}).</li>
 *   <li>{@code ganglion.orchestrator.conversation.get} {@code {"tenant","id"}}, {@code ganglion.orchestrator.trace.get}
 *   {@code {"tenant","id"}}, {@code ganglion.orchestrator.trace.list} {@code {"tenant","kb"?,"after"?,"limit"}},
 *   {@code ganglion.orchestrator.trace.feedback} {@code {"tenant","id","rating","comment"?}}.</li>
 * </ul>
 * LLM providers come from the {@code llm} section; without providers every answer is extractive.
 */
public final class OrchestratorVerticle extends VerticleBase {

  private Pool postgres;
  private Redis redis;
  private Tools tools;
  private AgentRuns runs;
  private LlmProviders llm;
  private OrchestrationConfig config;
  private AskPipeline pipeline;
  private RecordQueries queries;
  private AskWarmup warmup;

  @Override
  public Future<?> start() {
    GanglionConfig global = GanglionConfig.from(config());
    config = OrchestrationConfig.from(config());
    LlmConfig llmConfig = LlmConfig.from(config().getJsonObject("llm"));
    AgentsConfig agentsConfig = AgentsConfig.from(config());
    ToolsConfig toolsConfig = ToolsConfig.from(config());
    IndirectInjectionPolicy indirect = IndirectInjectionPolicy.from(config().getJsonObject("reflex"));
    llm = LlmProviders.create(vertx, llmConfig, System::getenv);
    postgres = Stores.postgres(vertx, global.postgres());
    redis = Stores.redis(vertx, global.redis());
    ConversationRepository conversations = new ConversationRepository(postgres);
    TraceRepository traces = new TraceRepository(postgres);
    Generation generation = new Generation(vertx, llm, config);
    pipeline = new AskPipeline(vertx, config, global.busTimeoutMs(), generation, new Records(conversations, traces));
    warmup = new AskWarmup(vertx, pipeline, new KbRepository(postgres), postgres, global.postgres().poolSize(),
      DurabilityConfig.from(config().getJsonObject("retrieval")).warmupMs());
    queries = new RecordQueries(conversations, traces);
    EventBus bus = vertx.eventBus();
    Future<Void> agents = Tools.start(vertx, toolsConfig).compose(started -> {
      tools = started;
      ReflexHook reflex = new ReflexHook(vertx);
      RunServices services = RunServices.create(vertx, llm, llmConfig, tools.executor(), redis, global.limits(),
        reflex, indirect, new RunRepository(postgres), agentsConfig);
      runs = new AgentRuns(services, new AgentCatalog(new AgentRepository(postgres), agentsConfig, tools.registry()),
        conversations, MeterRegistries.of(vertx), global.busTimeoutMs());
      return new AgentEndpoints(vertx, runs, tools, llm, agentsConfig, global.busTimeoutMs()).register()
        .onSuccess(v -> runs.startRecovery());
    });
    return Future.all(java.util.List.of(agents,
      Status.register(vertx, Addresses.ORCHESTRATOR_STATUS, "orchestrator", this::status),
      PublicAddress.register(bus, Addresses.ORCHESTRATOR_ASK, this::ask),
      PublicAddress.register(bus, Addresses.ORCHESTRATOR_CONVERSATION_GET, Handlers.replying(queries::conversation)),
      PublicAddress.register(bus, Addresses.ORCHESTRATOR_TRACE_GET, Handlers.replying(queries::trace)),
      PublicAddress.register(bus, Addresses.ORCHESTRATOR_TRACE_LIST, Handlers.replying(queries::traces)),
      PublicAddress.register(bus, Addresses.ORCHESTRATOR_TRACE_FEEDBACK, Handlers.replying(queries::feedback))))
      .onSuccess(v -> warmup.start());
  }

  @Override
  public Future<?> stop() {
    Future<Void> handedOver = runs == null ? Future.succeededFuture() : runs.stop();
    return handedOver.eventually(() -> Future.join(tools == null ? Future.succeededFuture() : tools.close(), llm.close(),
      redis.close(), postgres.close()));
  }

  private JsonObject status() {
    JsonArray generators = new JsonArray();
    llm.providers().forEach(provider -> generators.add(provider.name()));
    JsonObject status = new JsonObject().put("generators", generators.add("extractive")).put("warmup", warmup.describe());
    return tools == null ? status : status.put("tools", tools.status());
  }

  private void ask(Message<JsonObject> msg) {
    String stream = msg.headers().get(AskStreams.STREAM_HEADER);
    AskPipeline.Ask ask;
    try {
      AskRequest request = AskRequest.fromJson(msg.body(), config.maxQuestionChars());
      ask = pipeline.start(request, stream == null ? (event, data) -> { }
        : (event, data) -> vertx.eventBus().send(stream, AskStreams.event(event, data)));
    } catch (RuntimeException e) {
      Handlers.fail(msg, e);
      return;
    }
    MessageConsumer<Object> cancel = stream == null ? null
      : vertx.eventBus().consumer(stream + AskStreams.CANCEL_SUFFIX, m -> ask.cancel());
    ask.reply()
      .onSuccess(msg::reply)
      .onFailure(failure -> Handlers.fail(msg, failure))
      .onComplete(done -> {
        if (cancel != null) {
          cancel.unregister();
        }
      });
  }
}
