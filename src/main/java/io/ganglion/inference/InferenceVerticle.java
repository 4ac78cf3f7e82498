package io.ganglion.inference;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.ErrorCode;
import io.ganglion.bus.Handlers;
import io.ganglion.bus.PublicAddress;
import io.ganglion.bus.MeterRegistries;
import io.ganglion.bus.Status;
import io.ganglion.inference.batch.BatchDispatcher;
import io.ganglion.inference.impl.InferenceDescriptions;
import io.ganglion.inference.impl.ModelAdmin;
import io.ganglion.inference.impl.RuntimeModels;
import io.ganglion.config.GanglionConfig;
import io.ganglion.store.RuntimeModelRepository;
import io.ganglion.store.Stores;
import io.ganglion.inference.impl.QueryCache;
import io.ganglion.inference.onnx.Embedding;
import io.ganglion.inference.onnx.EngineLoader;
import io.ganglion.inference.onnx.LoadedModel;
import io.ganglion.inference.onnx.ModelRegistry;
import io.ganglion.inference.onnx.ModelSpec;
import io.ganglion.inference.onnx.PairScorer;
import io.ganglion.inference.onnx.TextEmbedder;
import io.ganglion.inference.onnx.TextKind;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Inference: ONNX models (embeddings, cross-encoders, classifiers) on DJL's ONNX Runtime engine, in micro-batches.
 * <p>
 * Threading: bus handlers run on this verticle's event loop; they validate, answer repeated queries from the query
 * cache, and hand the rest to the {@link BatchDispatcher}, which forms batches here (per model, an interactive and a
 * bulk lane) and gives each to one of {@code inference.workers} worker verticles ({@link ThreadingModel#WORKER}, on the
 * named pool {@code ganglion-inference}) when that worker is free. Replies return to this context. Models load and
 * warm up in {@link #start()} (on a worker thread), so the first request is not slow.
 */
public final class InferenceVerticle extends VerticleBase {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(InferenceVerticle.class);

  /** The named worker pool the batch workers run on (Vert.x's {@code vertx_pool_*} meters carry this name). */
  public static final String POOL = "ganglion-inference";

  private ModelRegistry registry;
  private BatchDispatcher dispatcher;
  private QueryCache queries;
  private ModelAdmin admin;
  private MeterRegistry meters;
  /** Where the models loaded at runtime are recorded; null when deployed without the server's stores. */
  private io.vertx.sqlclient.Pool postgres;
  private final SplittableRandom variants = new SplittableRandom();
  private int maxInputs;
  private long maxInputChars;
  private long busTimeoutMs;

  @Override
  public Future<?> start() {
    InferenceConfig config = InferenceConfig.from(config().getJsonObject("inference"));
    maxInputs = config.maxInputs();
    maxInputChars = config.maxInputChars();
    busTimeoutMs = config().getJsonObject("bus", new JsonObject()).getLong("timeoutMs", 10_000L);
    meters = MeterRegistries.of(vertx);
    EmbedClient.registerCodecs(vertx);
    EngineLoader graphs = new EngineLoader(config.device(), config.threads(),
      config.interactiveWorkers() == 0 ? 0 : config.besideThreads());
    return vertx.executeBlocking(() -> ModelRegistry.load(config.models(), config.defaultModel(), graphs))
      .compose(loaded -> {
        registry = loaded;
        // where models run: a cuda device without a CUDA provider falls back to cpu (EngineLoader logs why)
        io.micrometer.core.instrument.Gauge.builder("ganglion.inference.device", () -> 1)
          .description("1, tagged with inference.device (configured) and where models run (running)")
          .tag("configured", graphs.configured().name().toLowerCase(java.util.Locale.ROOT))
          .tag("running", graphs.running().name().toLowerCase(java.util.Locale.ROOT))
          .register(meters);
        if (graphs.running() != config.device()) {
          log.warn("inference.device is {}, running on {}", config.device(), graphs.running());
        }
        dispatcher = new BatchDispatcher(vertx, config.batchPolicy(), meters, InferenceConfig.MAX_BATCH_MS,
          Math.max(1, config.workers()));
        registry.all().forEach(dispatcher::add);
        queries = new QueryCache(config.queryCacheEntries(), meters);
        admin = new ModelAdmin(vertx, registry, dispatcher, graphs, queries, config.modelMemoryBytes(), busTimeoutMs);
        return deployWorkers(config.workers(), config.interactiveWorkers());
      })
      .compose(workers -> joinRuntimeModels())
      .compose(workers -> {
        var bus = vertx.eventBus();
        String self = io.ganglion.cluster.Cluster.membership(vertx).self().vertxId();
        return Future.all(List.of(
          bus.<JsonObject>consumer(Addresses.INFERENCE_EMBED, msg -> Handlers.reply(msg, body -> embed(body, msg.headers())))
            .completion(),
          bus.<EmbedRequest>localConsumer(Addresses.INFERENCE_EMBED_LOCAL,
            msg -> Handlers.reply(msg, request -> embedLocal(request, msg.headers()))).completion(),
          PublicAddress.register(bus, Addresses.INFERENCE_RERANK,
            (io.vertx.core.eventbus.Message<JsonObject> msg) -> Handlers.reply(msg, body -> rerank(body, msg.headers()))),
          PublicAddress.register(bus, Addresses.INFERENCE_MODELS, this::models),
          // a node's own models: the admin route of a node loads and unloads them there
          bus.<JsonObject>localConsumer(Addresses.INFERENCE_MODEL_LOAD, Handlers.replying(admin::load)).completion(),
          bus.<JsonObject>localConsumer(Addresses.INFERENCE_MODEL_UNLOAD, Handlers.replying(admin::unload)).completion(),
          // the same, from any node's admin route: /v1/admin/models loads and unloads on every serving member
          bus.<JsonObject>consumer(Addresses.inferenceModelAdmin(self, "load"), Handlers.replying(admin::load))
            .completion(),
          bus.<JsonObject>consumer(Addresses.inferenceModelAdmin(self, "unload"), Handlers.replying(admin::unload))
            .completion(),
          Status.register(vertx, Addresses.INFERENCE_STATUS, "inference", this::status)));
      });
  }

  /**
   * Loads the models recorded as loaded at runtime ({@link RuntimeModels}: PostgreSQL's {@code runtime_models}), so
   * the node is up only once it has them (after a restart of this node or of the whole cluster too), and from then on
   * any it lacks when a member says the set changed.
   */
  private Future<Void> joinRuntimeModels() {
    if (!config().containsKey("postgres")) {
      // deployed alone, without the server's stores (tests): only inference.models
      return Future.succeededFuture();
    }
    postgres = Stores.postgres(vertx, GanglionConfig.from(config()).postgres());
    RuntimeModels runtime = new RuntimeModels(vertx, new RuntimeModelRepository(postgres));
    io.vertx.core.Context context = vertx.getOrCreateContext();
    return runtime.entries()
      .recover(failure -> Future.failedFuture(new IllegalStateException("cannot read the models loaded at runtime "
        + "(runtime_models) from PostgreSQL: " + failure.getMessage(), failure)))
      .compose(admin::loadMissing)
      .onSuccess(v -> runtime.onChange(() -> context.runOnContext(x -> runtime.entries()
        .compose(admin::loadMissing)
        .onFailure(e -> log.warn("cannot read the models loaded at runtime from PostgreSQL: {}", e.getMessage())))));
  }

  /**
   * Deploys the batch workers: {@code count} shared instances and {@code beside} kept for interactive work, of one
   * worker verticle on the named pool, one pool thread each, each blocked-thread check allowing a whole batch
   * ({@link InferenceConfig#MAX_BATCH_MS}).
   */
  private Future<String> deployWorkers(int count, int beside) {
    AtomicInteger next = new AtomicInteger();
    int all = count + beside;
    DeploymentOptions options = new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER).setInstances(all)
      .setWorkerPoolName(POOL).setWorkerPoolSize(all)
      .setMaxWorkerExecuteTime(InferenceConfig.MAX_BATCH_MS).setMaxWorkerExecuteTimeUnit(TimeUnit.MILLISECONDS);
    return vertx.deployVerticle(() -> BatchDispatcher.worker(next.getAndIncrement()), options)
      .onSuccess(id -> dispatcher.workersReady(count, beside));
  }

  @Override
  public Future<?> stop() {
    if (dispatcher != null) {
      dispatcher.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    // the workers are undeployed with this verticle (they are its children), finishing the batch each runs
    return registry == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      registry.close();
      return null;
    });
  }

  /** The public contract: JSON in and out. */
  private Future<JsonObject> embed(JsonObject body, MultiMap headers) {
    Object kindValue = body.getValue("kind", "passage");
    List<String> texts = texts(body.getValue("texts"), "texts");
    if (!"query".equals(kindValue) && !"passage".equals(kindValue)) {
      throw ErrorCode.INVALID_REQUEST.exception("'kind' must be query or passage");
    }
    TextKind kind = "query".equals(kindValue) ? TextKind.QUERY : TextKind.PASSAGE;
    Object laneValue = body.getValue("lane", "interactive");
    if (!(laneValue instanceof String laneName) || !laneName.equals("interactive") && !laneName.equals("bulk")) {
      throw ErrorCode.INVALID_REQUEST.exception("'lane' must be interactive or bulk");
    }
    return embed(new EmbedRequest(texts, kind, modelName(body), Lane.parse(laneName)), headers).map(EmbedReply::toJson);
  }

  /** The node-local twin: the same request and reply as records, by reference. */
  private Future<EmbedReply> embedLocal(EmbedRequest request, MultiMap headers) {
    texts(request.texts(), "texts");
    if (request.kind() == null) {
      throw ErrorCode.INVALID_REQUEST.exception("'kind' must be query or passage");
    }
    return embed(request, headers);
  }

  private Future<EmbedReply> embed(EmbedRequest request, MultiMap headers) {
    String model = request.model() == null || request.model().isBlank() ? null : request.model();
    TextEmbedder embedder = registry.embedder(model);
    String ref = embedder.spec().ref();
    long deadline = deadline(headers);
    if (request.kind() != TextKind.QUERY) {
      return submit(embedder, request.texts(), request.kind(), request.lane(), deadline)
        .map(embeddings -> EmbedReply.of(ref, embeddings));
    }
    // queries: the cached ones at once, the rest through the model, then all in order
    List<String> texts = request.texts();
    Embedding[] out = new Embedding[texts.size()];
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < out.length; i++) {
      out[i] = queries.get(ref, texts.get(i));
      if (out[i] == null) {
        missing.add(i);
      }
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture(EmbedReply.of(ref, List.of(out)));
    }
    return submit(embedder, missing.stream().map(texts::get).toList(), TextKind.QUERY, request.lane(), deadline)
      .map(embedded -> {
        for (int j = 0; j < embedded.size(); j++) {
          int i = missing.get(j);
          out[i] = embedded.get(j);
          queries.put(ref, texts.get(i), out[i]);
        }
        return EmbedReply.of(ref, List.of(out));
      });
  }

  private Future<List<Embedding>> submit(TextEmbedder embedder, List<String> texts, TextKind kind, Lane lane,
                                         long deadline) {
    return dispatcher.submit(embedder, texts.stream().map(t -> new TextEmbedder.Input(t, kind)).toList(), lane,
      deadline);
  }

  private Future<JsonObject> rerank(JsonObject body, MultiMap headers) {
    if (!(body.getValue("query") instanceof String query) || query.isBlank()) {
      throw ErrorCode.INVALID_REQUEST.exception("'query' is required and must be a non-empty string");
    }
    List<String> passages = texts(body.getValue("passages"), "passages");
    String model = modelName(body);
    if (model == null) {
      throw ErrorCode.INVALID_REQUEST.exception("'model' is required: name a configured reranker");
    }
    PairScorer scorer = registry.scorer(model, variants.nextDouble());
    ModelSpec spec = scorer.spec();
    long start = System.nanoTime();
    return dispatcher.submit(scorer, passages.stream().map(p -> new PairScorer.Pair(query, p)).toList(),
        Lane.INTERACTIVE, deadline(headers))
      .map(scores -> {
        Timer.builder("ganglion.inference.variant.latency").description("Scoring requests by model version (A/B)")
          .tags("model", spec.name(), "version", spec.version()).register(meters)
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        JsonArray out = new JsonArray();
        scores.forEach(s -> out.add(s.score()));
        return new JsonObject().put("model", spec.name()).put("version", spec.version()).put("scores", out);
      });
  }

  private void models(Message<JsonObject> msg) {
    JsonArray list = new JsonArray();
    for (ModelSpec spec : registry.specs()) {
      list.add(InferenceDescriptions.of(spec, registry));
    }
    msg.reply(new JsonObject().put("models", list));
  }

  private JsonObject status() {
    JsonObject depths = new JsonObject();
    JsonObject expired = new JsonObject();
    JsonObject beside = new JsonObject();
    for (LoadedModel<?, ?> model : registry.all()) {
      String ref = model.spec().ref();
      beside.put(ref, dispatcher.besideBulk(ref));
      depths.put(ref, new JsonObject().put("interactive", dispatcher.depth(ref, Lane.INTERACTIVE))
        .put("bulk", dispatcher.depth(ref, Lane.BULK)));
      expired.put(ref, dispatcher.expired(ref));
    }
    return new JsonObject().put("queueDepth", depths).put("expired", expired).put("batchesBesideBulk", beside)
      .put("idleWorkers", dispatcher.idleWorkers());
  }

  /** The caller's deadline from its header; without one, the bus timeout from now. */
  private long deadline(MultiMap headers) {
    long deadline = Deadlines.deadlineOf(headers.get(Deadlines.DEADLINE_HEADER));
    return deadline == Long.MAX_VALUE ? System.currentTimeMillis() + busTimeoutMs : deadline;
  }

  private List<String> texts(Object raw, String field) {
    List<?> array = raw instanceof JsonArray json ? json.getList() : raw instanceof List<?> list ? list : null;
    if (array == null || array.isEmpty()) {
      throw ErrorCode.INVALID_REQUEST.exception("'" + field + "' must be a non-empty list of strings");
    }
    if (array.size() > maxInputs) {
      throw ErrorCode.PAYLOAD_TOO_LARGE.exception("at most " + maxInputs + " inputs per request, got " + array.size());
    }
    List<String> texts = new ArrayList<>(array.size());
    long chars = 0;
    for (Object item : array) {
      if (!(item instanceof String s) || s.isEmpty()) {
        throw ErrorCode.INVALID_REQUEST.exception("every entry of '" + field + "' must be a non-empty string");
      }
      chars += s.length();
      texts.add(s);
    }
    if (chars > maxInputChars) {
      throw ErrorCode.PAYLOAD_TOO_LARGE.exception("at most " + maxInputChars + " characters per request, got " + chars);
    }
    return texts;
  }

  private static String modelName(JsonObject body) {
    return body.getValue("model") instanceof String s && !s.isBlank() ? s : null;
  }
}
