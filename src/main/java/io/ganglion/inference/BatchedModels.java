package io.ganglion.inference;

import io.ganglion.inference.batch.BatchPolicy;
import io.ganglion.inference.batch.MicroBatcher;
import io.ganglion.inference.batch.ModelBatchRunner;
import io.ganglion.inference.onnx.Embedding;
import io.ganglion.inference.onnx.LoadedModel;
import io.ganglion.inference.onnx.ModelRegistry;
import io.ganglion.inference.onnx.PairScorer;
import io.ganglion.inference.onnx.SessionFactory;
import io.ganglion.inference.onnx.TextEmbedder;
import io.ganglion.inference.onnx.TextKind;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The loaded models, each behind its own {@link MicroBatcher}: what the inference verticle calls.
 * <p>
 * <b>NOTE</b>: {@link #start} blocks while models load (seconds): call it from {@code executeBlocking} or a worker.
 * {@link #embed} and {@link #score} never block and may be called from an event loop; their futures complete on a
 * batcher thread ({@code ganglion-inference-<model>-<n>}), so wrap them with
 * {@code Future.fromCompletionStage(cf, context)} to continue on the caller's context. They fail with
 * {@link io.ganglion.inference.onnx.UnknownModelException} (unknown model or wrong kind),
 * {@link io.ganglion.inference.batch.QueueFullException} (overloaded: 503),
 * {@link io.ganglion.inference.batch.BatcherClosedException} (shutting down),
 * {@link io.ganglion.inference.batch.OversizedRequestException} (more inputs than a queue holds: 413), or the model's
 * own failure; each but the last carries its bus code ({@link io.ganglion.bus.CodedFailure}).
 */
public final class BatchedModels implements AutoCloseable {

  private final ModelRegistry registry;
  private final Map<String, MicroBatcher<?, ?, ?>> batchers;

  private BatchedModels(ModelRegistry registry, Map<String, MicroBatcher<?, ?, ?>> batchers) {
    this.registry = registry;
    this.batchers = batchers;
  }

  /** Loads and warms up every configured model and starts its batcher; metrics go to {@code meters}. */
  public static BatchedModels start(InferenceConfig config, MeterRegistry meters) {
    ModelRegistry registry = ModelRegistry.load(config.models(), config.defaultModel(),
      new SessionFactory(config.device(), config.threads()));
    BatchPolicy policy = config.batchPolicy();
    Map<String, MicroBatcher<?, ?, ?>> batchers = new LinkedHashMap<>();
    for (var spec : registry.specs()) {
      batchers.put(spec.name(), batcher(registry.model(spec.name()), policy, meters));
    }
    return new BatchedModels(registry, batchers);
  }

  private static <I, O> MicroBatcher<I, ?, O> batcher(LoadedModel<I, O> model, BatchPolicy policy,
    MeterRegistry meters) {
    return new MicroBatcher<>(model.spec().name(), new ModelBatchRunner<>(model), policy, meters);
  }

  /**
   * Embeds {@code texts} with {@code model} (the default model when null or empty).
   *
   * @return one embedding per text, in order, each with its token count and truncation flag
   */
  public CompletableFuture<List<Embedding>> embed(String model, List<String> texts, TextKind kind) {
    try {
      TextEmbedder embedder = registry.embedder(model);
      return batcherOf(embedder).submit(texts.stream().map(t -> new TextEmbedder.Input(t, kind)).toList());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Scores each of {@code passages} against {@code query} with the reranker or classifier {@code model}.
   *
   * @return one score per passage, in order
   */
  public CompletableFuture<List<PairScorer.Score>> score(String model, String query, List<String> passages) {
    try {
      PairScorer scorer = registry.scorer(model);
      return batcherOf(scorer).submit(passages.stream().map(p -> new PairScorer.Pair(query, p)).toList());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @SuppressWarnings("unchecked")
  private <I, O> MicroBatcher<I, ?, O> batcherOf(LoadedModel<I, O> model) {
    // batchers are built from the same registry entry, so the types match
    return (MicroBatcher<I, ?, O>) batchers.get(model.spec().name());
  }

  /** The loaded models: names, kinds, dims, prefixes (for {@code ganglion.inference.models}). */
  public ModelRegistry registry() {
    return registry;
  }

  /** Inputs waiting for {@code model}, for status replies. */
  public int queueDepth(String model) {
    MicroBatcher<?, ?, ?> batcher = batchers.get(model);
    return batcher == null ? 0 : batcher.queueDepth();
  }

  /** Stops every batcher (failing what is queued, finishing what runs), then releases the models. */
  @Override
  public void close() {
    batchers.values().forEach(MicroBatcher::close);
    registry.close();
  }
}
