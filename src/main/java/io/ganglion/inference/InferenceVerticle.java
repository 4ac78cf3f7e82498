package io.ganglion.inference;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.ganglion.bus.Handlers;
import io.ganglion.bus.PublicAddress;
import io.ganglion.bus.MeterRegistries;
import io.ganglion.bus.Status;
import io.ganglion.inference.onnx.ModelSpec;
import io.ganglion.inference.onnx.TextKind;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Inference: ONNX models (embeddings, cross-encoders) behind one bounded micro-batching queue per model. Bus handlers
 * run on this verticle's event loop and only validate and enqueue; the models run on dedicated platform threads
 * ({@code ganglion-inference-<model>-<n>}) that drain the queues, and replies return to this context. A full queue
 * fails fast with {@link ErrorCode#OVERLOADED}. Models load and warm up in {@link #start()} (on a worker thread), so
 * the first request is not slow.
 */
public final class InferenceVerticle extends VerticleBase {

  private BatchedModels models;
  private int maxInputs;
  private long maxInputChars;

  @Override
  public Future<?> start() {
    InferenceConfig config = InferenceConfig.from(config().getJsonObject("inference"));
    maxInputs = config.maxInputs();
    maxInputChars = config.maxInputChars();
    EmbedClient.registerCodecs(vertx);
    return vertx.executeBlocking(() -> BatchedModels.start(config, MeterRegistries.of(vertx)))
      .compose(started -> {
        models = started;
        var bus = vertx.eventBus();
        return Future.all(
          bus.<JsonObject>consumer(Addresses.INFERENCE_EMBED, Handlers.replying(this::embed)).completion(),
          bus.<EmbedRequest>localConsumer(Addresses.INFERENCE_EMBED_LOCAL, Handlers.replying(this::embedLocal)).completion(),
          PublicAddress.register(bus, Addresses.INFERENCE_RERANK, Handlers.replying(this::rerank)),
          PublicAddress.register(bus, Addresses.INFERENCE_MODELS, this::models),
          Status.register(vertx, Addresses.INFERENCE_STATUS, "inference", this::status));
      });
  }

  @Override
  public Future<?> stop() {
    return models == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      models.close();
      return null;
    });
  }

  /** The public contract: JSON in and out. */
  private Future<JsonObject> embed(JsonObject body) {
    Object kindValue = body.getValue("kind", "passage");
    List<String> texts = texts(body.getValue("texts"), "texts");
    if (!"query".equals(kindValue) && !"passage".equals(kindValue)) {
      throw ErrorCode.INVALID_REQUEST.exception("'kind' must be query or passage");
    }
    TextKind kind = "query".equals(kindValue) ? TextKind.QUERY : TextKind.PASSAGE;
    return embed(new EmbedRequest(texts, kind, modelName(body))).map(EmbedReply::toJson);
  }

  /** The node-local twin: the same request and reply as records, by reference. */
  private Future<EmbedReply> embedLocal(EmbedRequest request) {
    texts(request.texts(), "texts");
    if (request.kind() == null) {
      throw ErrorCode.INVALID_REQUEST.exception("'kind' must be query or passage");
    }
    return embed(request);
  }

  private Future<EmbedReply> embed(EmbedRequest request) {
    String model = request.model() == null || request.model().isBlank() ? null : request.model();
    String name = model == null ? models.registry().defaultEmbedding() : model;
    return Future.fromCompletionStage(models.embed(model, request.texts(), request.kind()), context)
      .map(embeddings -> EmbedReply.of(name, embeddings));
  }

  private Future<JsonObject> rerank(JsonObject body) {
    if (!(body.getValue("query") instanceof String query) || query.isBlank()) {
      throw ErrorCode.INVALID_REQUEST.exception("'query' is required and must be a non-empty string");
    }
    List<String> passages = texts(body.getValue("passages"), "passages");
    String model = modelName(body);
    if (model == null) {
      throw ErrorCode.INVALID_REQUEST.exception("'model' is required: name a configured reranker");
    }
    return Future.fromCompletionStage(models.score(model, query, passages), context).map(scores -> {
      JsonArray out = new JsonArray();
      scores.forEach(s -> out.add(s.score()));
      return new JsonObject().put("model", model).put("scores", out);
    });
  }

  private void models(Message<JsonObject> msg) {
    JsonArray list = new JsonArray();
    for (ModelSpec spec : models.registry().specs()) {
      list.add(new JsonObject().put("name", spec.name()).put("kind", spec.kind().name().toLowerCase())
        .put("dims", spec.dims()).put("pooling", spec.pooling().name().toLowerCase()).put("maxLength", spec.maxLength())
        .put("default", spec.name().equals(models.registry().defaultEmbedding())));
    }
    msg.reply(new JsonObject().put("models", list));
  }

  private JsonObject status() {
    JsonObject queues = new JsonObject();
    models.registry().specs().forEach(spec -> queues.put(spec.name(), models.queueDepth(spec.name())));
    return new JsonObject().put("queueDepth", queues);
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
