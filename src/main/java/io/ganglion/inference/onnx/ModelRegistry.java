package io.ganglion.inference.onnx;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loaded models by name. {@link #load} reads every graph and tokenizer, checks each graph's output size against
 * its spec and runs one warm-up batch, so the first request pays no first-run cost.
 * <p>
 * <b>NOTE</b>: loading blocks for seconds (the default model is 34 MB); run it off the event loop. Once loaded the
 * registry is immutable and thread-safe.
 */
public final class ModelRegistry implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);
  private static final List<String> WARM_UP = List.of("Ganglion warms up its models.", "A second, longer sentence "
    + "so the warm-up batch has padding to mask.");

  private final Map<String, LoadedModel<?, ?>> models;
  private final String defaultEmbedding;

  private ModelRegistry(Map<String, LoadedModel<?, ?>> models, String defaultEmbedding) {
    this.models = Collections.unmodifiableMap(models);
    this.defaultEmbedding = defaultEmbedding;
  }

  /**
   * Loads and warms up {@code specs}.
   *
   * @param specs the models; names must be unique
   * @param defaultEmbedding the embedding model used when a request names none; must be among {@code specs}
   * @param graphs how graphs are loaded (runtime, device, threads)
   * @throws ModelLoadException naming the model that failed; models already loaded are closed
   */
  public static ModelRegistry load(List<ModelSpec> specs, String defaultEmbedding, GraphLoader graphs) {
    Map<String, LoadedModel<?, ?>> loaded = new LinkedHashMap<>();
    try {
      for (ModelSpec spec : specs) {
        if (loaded.containsKey(spec.name())) {
          throw new ModelLoadException(spec.name(), "listed twice", null);
        }
        loaded.put(spec.name(), loadOne(spec, graphs));
      }
      LoadedModel<?, ?> fallback = loaded.get(defaultEmbedding);
      if (!(fallback instanceof TextEmbedder)) {
        throw new ModelLoadException(defaultEmbedding, "the default model must be a loaded embedding model", null);
      }
      return new ModelRegistry(loaded, defaultEmbedding);
    } catch (RuntimeException e) {
      loaded.values().forEach(LoadedModel::close);
      throw e;
    }
  }

  private static LoadedModel<?, ?> loadOne(ModelSpec spec, GraphLoader graphs) {
    long start = System.nanoTime();
    TokenEncoder tokens = null;
    ModelGraph graph = null;
    LoadedModel<?, ?> model = null;
    try {
      tokens = TokenEncoder.load(spec.source(), spec.maxLength());
      graph = graphs.load(spec);
      model = switch (spec.kind()) {
        case EMBEDDING -> new TextEmbedder(spec, tokens, graph);
        case RERANKER, CLASSIFIER -> new PairScorer(spec, tokens, graph);
      };
      warmUp(model);
      log.info("model {} ({}) loaded from {} in {} ms", spec.name(), spec.kind().name().toLowerCase(Locale.ROOT),
        spec.source(), (System.nanoTime() - start) / 1_000_000);
      return model;
    } catch (ModelLoadException e) {
      closeQuietly(model, tokens, graph);
      throw e;
    } catch (Exception e) {
      closeQuietly(model, tokens, graph);
      throw new ModelLoadException(spec.name(), "cannot load from " + spec.source() + ": " + e.getMessage(), e);
    }
  }

  private static void warmUp(LoadedModel<?, ?> model) throws Exception {
    if (model instanceof TextEmbedder embedder) {
      List<Embedding> out = embedder.embed(WARM_UP, TextKind.PASSAGE);
      int dims = out.get(0).vector().length;
      int expected = model.spec().dims();
      if (expected > 0 && dims != expected) {
        throw new ModelLoadException(model.spec().name(), "graph gives " + dims + " dims, spec says " + expected, null);
      }
    } else if (model instanceof PairScorer scorer) {
      scorer.score(WARM_UP.get(0), WARM_UP.subList(1, 2));
    }
  }

  private static void closeQuietly(LoadedModel<?, ?> model, TokenEncoder tokens, ModelGraph graph) {
    if (model != null) {
      model.close();
      return;
    }
    if (graph != null) {
      graph.close();
    }
    if (tokens != null) {
      tokens.close();
    }
  }

  /** The embedding model called {@code name}, or the default when {@code name} is null or empty. */
  public TextEmbedder embedder(String name) {
    return typed(name == null || name.isEmpty() ? defaultEmbedding : name, TextEmbedder.class);
  }

  /** The reranker or classifier called {@code name}. */
  public PairScorer scorer(String name) {
    return typed(name, PairScorer.class);
  }

  /** The model called {@code name}, of any kind. */
  public LoadedModel<?, ?> model(String name) {
    LoadedModel<?, ?> model = models.get(name);
    int at = name.indexOf('@');
    if (model == null && at > 0) {
      LoadedModel<?, ?> named = models.get(name.substring(0, at));
      model = named != null && named.spec().ref().equals(name) ? named : null;
    }
    if (model == null) {
      throw new UnknownModelException(name, models.keySet());
    }
    return model;
  }

  private <T> T typed(String name, Class<T> type) {
    LoadedModel<?, ?> model = model(name);
    if (!type.isInstance(model)) {
      throw new UnknownModelException(name + " is a " + model.spec().kind().name().toLowerCase(Locale.ROOT) + " model");
    }
    return type.cast(model);
  }

  /** The name of the default embedding model. */
  public String defaultEmbedding() {
    return defaultEmbedding;
  }

  /** The loaded models' specs, in load order. */
  public Collection<ModelSpec> specs() {
    List<ModelSpec> specs = new ArrayList<>();
    models.values().forEach(m -> specs.add(m.spec()));
    return specs;
  }

  @Override
  public void close() {
    models.values().forEach(LoadedModel::close);
  }
}
