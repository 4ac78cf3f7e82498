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
 * The loaded models by {@code name@version}. {@link #load} reads every graph and tokenizer, checks each graph's
 * output size against its spec and runs one warm-up batch, so the first request pays no first-run cost; models can be
 * added and removed at runtime ({@code /v1/admin/models}), each warmed up the same way before it serves.
 * <p>
 * A request names a model by {@code name@version} or by name alone: an embedding model's name means its first loaded
 * version (the one a knowledge base created by that name records); a reranker's or classifier's name splits traffic
 * among its loaded versions by their weights (A/B).
 * <p>
 * <b>NOTE</b>: loading blocks for seconds (the default model is 34 MB); run it off the event loop. Look-ups are
 * thread-safe (the map is replaced whole on every change).
 */
public final class ModelRegistry implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);
  private static final List<String> WARM_UP = List.of("Ganglion warms up its models.", "A second, longer sentence "
    + "so the warm-up batch has padding to mask.");

  private volatile Map<String, LoadedModel<?, ?>> models;
  private final String defaultEmbedding;

  private ModelRegistry(Map<String, LoadedModel<?, ?>> models, String defaultEmbedding) {
    this.models = Collections.unmodifiableMap(models);
    this.defaultEmbedding = defaultEmbedding;
  }

  /**
   * Loads and warms up {@code specs}.
   *
   * @param specs the models; {@code name@version}s must be unique
   * @param defaultEmbedding the embedding model ({@code name} or {@code name@version}) used when a request names none;
   *     must be among {@code specs}
   * @param graphs how graphs are loaded (runtime, device, threads)
   * @throws ModelLoadException naming the model that failed; models already loaded are closed
   */
  public static ModelRegistry load(List<ModelSpec> specs, String defaultEmbedding, GraphLoader graphs) {
    Map<String, LoadedModel<?, ?>> loaded = new LinkedHashMap<>();
    try {
      for (ModelSpec spec : specs) {
        if (loaded.containsKey(spec.ref())) {
          throw new ModelLoadException(spec.ref(), "listed twice", null);
        }
        loaded.put(spec.ref(), loadOne(spec, graphs));
      }
      LoadedModel<?, ?> fallback = loaded.values().stream()
        .filter(m -> m.spec().ref().equals(defaultEmbedding) || m.spec().name().equals(defaultEmbedding))
        .findFirst().orElse(null);
      if (!(fallback instanceof TextEmbedder)) {
        throw new ModelLoadException(defaultEmbedding, "the default model must be a loaded embedding model", null);
      }
      return new ModelRegistry(loaded, fallback.spec().ref());
    } catch (RuntimeException e) {
      loaded.values().forEach(LoadedModel::close);
      throw e;
    }
  }

  /** Loads and warms up one model (not yet added: see {@link #add}). */
  public static LoadedModel<?, ?> loadOne(ModelSpec spec, GraphLoader graphs) {
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
      // and the session kept for batches beside another, if the graph has one
      embedder.run(WARM_UP.stream().map(t -> embedder.encode(new TextEmbedder.Input(t, TextKind.QUERY))).toList(), true);
      int dims = out.get(0).vector().length;
      int expected = model.spec().dims();
      if (expected > 0 && dims != expected) {
        throw new ModelLoadException(model.spec().name(), "graph gives " + dims + " dims, spec says " + expected, null);
      }
    } else if (model instanceof PairScorer scorer) {
      scorer.score(WARM_UP.get(0), WARM_UP.subList(1, 2));
      scorer.run(List.of(scorer.encode(new PairScorer.Pair(WARM_UP.get(0), WARM_UP.get(1)))), true);
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

  /** Adds a loaded model; fails if one of its {@code name@version} is loaded. */
  public synchronized void add(LoadedModel<?, ?> model) {
    if (models.containsKey(model.spec().ref())) {
      throw new IllegalStateException(model.spec().ref() + " is already loaded");
    }
    Map<String, LoadedModel<?, ?>> next = new LinkedHashMap<>(models);
    next.put(model.spec().ref(), model);
    models = Collections.unmodifiableMap(next);
  }

  /** Removes (without closing) the model {@code ref}; the caller closes it once no batch runs it. */
  public synchronized LoadedModel<?, ?> remove(String ref) {
    if (ref.equals(defaultEmbedding)) {
      throw new IllegalStateException(ref + " is the default embedding model");
    }
    Map<String, LoadedModel<?, ?>> next = new LinkedHashMap<>(models);
    LoadedModel<?, ?> removed = next.remove(ref);
    if (removed == null) {
      throw new UnknownModelException(ref, models.keySet());
    }
    models = Collections.unmodifiableMap(next);
    return removed;
  }

  /** The embedding model {@code name} ({@code name@version}, or a name: its first loaded version); null: the default. */
  public TextEmbedder embedder(String name) {
    return typed(resolve(name == null || name.isEmpty() ? defaultEmbedding : name, null), TextEmbedder.class);
  }

  /**
   * The reranker or classifier {@code name}: that version, or, for a bare name with several versions loaded, one
   * picked by their weights with {@code random} in [0, 1).
   */
  public PairScorer scorer(String name, double random) {
    return typed(resolve(name, random), PairScorer.class);
  }

  /** The model {@code ref} ({@code name@version}) or, for a bare name, its first loaded version, of any kind. */
  public LoadedModel<?, ?> model(String name) {
    return resolve(name, null);
  }

  /** The loaded versions of {@code name}, in load order. */
  public List<LoadedModel<?, ?>> versions(String name) {
    return models.values().stream().filter(m -> m.spec().name().equals(name)).toList();
  }

  private LoadedModel<?, ?> resolve(String name, Double random) {
    LoadedModel<?, ?> exact = models.get(name);
    if (exact != null) {
      return exact;
    }
    List<LoadedModel<?, ?>> versions = versions(name);
    if (versions.isEmpty()) {
      throw new UnknownModelException(name, models.keySet());
    }
    if (random == null || versions.size() == 1) {
      return versions.get(0);
    }
    double total = versions.stream().mapToDouble(m -> m.spec().weight()).sum();
    double at = random * total;
    for (LoadedModel<?, ?> version : versions) {
      at -= version.spec().weight();
      if (at < 0) {
        return version;
      }
    }
    return versions.get(versions.size() - 1);
  }

  private <T> T typed(LoadedModel<?, ?> model, Class<T> type) {
    if (!type.isInstance(model)) {
      throw new UnknownModelException(model.spec().ref() + " is a " + model.spec().kind().name().toLowerCase(Locale.ROOT)
        + " model");
    }
    return type.cast(model);
  }

  /** The default embedding model's {@code name@version}. */
  public String defaultEmbedding() {
    return defaultEmbedding;
  }

  /** The loaded models' specs, in load order. */
  public Collection<ModelSpec> specs() {
    List<ModelSpec> specs = new ArrayList<>();
    models.values().forEach(m -> specs.add(m.spec()));
    return specs;
  }

  /** The loaded models, in load order. */
  public Collection<LoadedModel<?, ?>> all() {
    return models.values();
  }

  @Override
  public void close() {
    models.values().forEach(LoadedModel::close);
  }
}
