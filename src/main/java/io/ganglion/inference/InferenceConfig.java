package io.ganglion.inference;

import io.ganglion.config.ConfigException;
import io.ganglion.config.ConfigReader;
import io.ganglion.inference.batch.BatchPolicy;
import io.ganglion.inference.onnx.Device;
import io.ganglion.inference.onnx.KnownModels;
import io.ganglion.inference.onnx.ModelKind;
import io.ganglion.inference.onnx.ModelSource;
import io.ganglion.inference.onnx.ModelSpec;
import io.ganglion.inference.onnx.Pooling;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The inference verticle's settings: device, threads, micro-batching, lanes and the models to load.
 *
 * @param device {@code cpu} or {@code cuda} (falls back to CPU with a warning when ORT has no CUDA)
 * @param threads ONNX Runtime intra-op threads per model session; default: the cores divided among the workers
 * @param maxBatch inputs per batch; 1 disables batching
 * @param maxBatchTokens padded tokens per batch (inputs x longest) of a batch with interactive inputs
 * @param maxWaitMs how long the oldest queued input waits for a batch to fill
 * @param queueCapacity interactive inputs queued per model before interactive requests are refused with 503
 * @param workers worker verticle instances on the {@code ganglion-inference} pool, shared by every model: each runs
 *     one batch (of any model) at a time, so this is how many batches run at once on this node
 * @param interactiveWorkers worker verticle instances more, kept for interactive inputs: one takes a batch of
 *     interactive inputs only while every shared worker runs bulk inputs, so a query runs beside a bulk batch instead
 *     of waiting for it (its few milliseconds of model time then share the cores with that batch); 0: queries wait
 * @param besideThreads intra-op threads of the batches run beside a bulk batch: each model gets a second session with
 *     this many (on CPU, when it differs from {@code threads}); 0: they run on the models' own sessions
 * @param bulkCapacity bulk inputs queued per model; a bulk request that does not fit waits for room
 * @param bulkBatchTokens padded tokens of a batch of bulk inputs only (at most {@code maxBatchTokens}), and how far bulk
 *     inputs may fill a batch of interactive ones (or as far as those already pad it)
 * @param bulkMinShare share of each batch kept for bulk inputs while they wait (0 to 1)
 * @param bulkMaxWaiting bulk requests that may wait for room per model; more fail with 503
 * @param queryCacheEntries query embeddings remembered (per model and text); 0 turns the cache off
 * @param modelMemoryMb what all loaded models may take together by estimate (3 x their graphs' sizes), checked when
 *     one is loaded at runtime; 0: no budget, only the machine's available memory counts
 * @param defaultModel the embedding model ({@code name@version}) used when a request names none
 * @param models every model to load, the default among them
 * @param maxInputs most texts (or passages) in one request; more fail with 4130
 * @param maxInputChars most characters in all texts of one request; more fail with 4130
 */
public record InferenceConfig(
  Device device,
  int threads,
  int maxBatch,
  int maxBatchTokens,
  int maxWaitMs,
  int queueCapacity,
  int workers,
  int interactiveWorkers,
  int besideThreads,
  int bulkCapacity,
  int bulkBatchTokens,
  double bulkMinShare,
  int bulkMaxWaiting,
  int queryCacheEntries,
  int modelMemoryMb,
  String defaultModel,
  List<ModelSpec> models,
  int maxInputs,
  long maxInputChars) {

  // Defaults measured on a quiet 2-core x86 box, bge-small int8, ~50-64-token sentences: 230-240 sentences/s at
  // batch 1, 340 at batch 8, 330-345 at batch 32. Throughput is flat past 8, so 16 keeps the gain while a batch
  // stays near 50 ms; 5 ms of waiting is about one single-sentence run, so a lone request pays at most double.
  public static final int DEFAULT_MAX_BATCH = 16;
  public static final int DEFAULT_MAX_BATCH_TOKENS = 16 * 256;
  public static final int DEFAULT_MAX_WAIT_MS = 5;
  public static final int DEFAULT_QUEUE_CAPACITY = 1024;
  public static final int DEFAULT_WORKERS = 1;
  /**
   * One worker kept for queries: ONNX Runtime cannot interrupt a running bulk batch (one 256-token chunk, ~50 ms on
   * 2 cores), so without it a search under a saturating ingestion first waits for that batch; beside it, the query's
   * own run (a few ms) shares the cores with the bulk batch for that long (bench/lanes.sh, bench/RESULTS.md).
   */
  public static final int DEFAULT_INTERACTIVE_WORKERS = 1;
  /**
   * Bulk batches of at most 256 padded tokens: one 256-token chunk, or about eight of its sentences. A query arriving
   * while bulk runs waits for that batch, so its size is what a search under ingestion pays: with 2048 (8 chunks) the
   * search p99 under a saturating ingestion was 31x its idle p99, with 256 it was 2.9x, at the same ingestion
   * throughput with and without searches (0.96 and 0.99 of alone), and raw chunk-length inputs gain nothing from
   * batching on CPU (bench/RESULTS.md, bench/lanes.sh).
   */
  public static final int DEFAULT_BULK_BATCH_TOKENS = 256;
  public static final double DEFAULT_BULK_MIN_SHARE = 0.25;
  /**
   * The longest one batch may hold a worker thread before Vert.x's blocked-thread checker reports it
   * ({@code maxWorkerExecuteTime}): the largest batch ({@code maxBatchTokens} = 4096 padded tokens) runs in about
   * 0.5 s on 2 quiet cores and a few seconds on a machine loaded 4x over, so 30 s only ever flags a native run that
   * is stuck, never a slow one. It is also the deadline of a batch's hop to its worker.
   */
  public static final long MAX_BATCH_MS = 30_000;

  private static final String PREFIX = "inference.";

  public InferenceConfig {
    models = List.copyOf(models);
  }

  /** The defaults: bge-small-en-v1.5 on CPU with every core. */
  public static InferenceConfig defaults() {
    return from(new JsonObject());
  }

  /**
   * Reads and validates the {@code inference} section; absent keys take their defaults. Numbers may be given as
   * strings (environment variables). A {@code models} entry is {@code {name, version?, path?, resource?, kind?,
   * pooling?, dims?, maxLength?, queryPrefix?, passagePrefix?}}: a known name ({@code bge-small-en-v1.5},
   * {@code all-minilm-l6-v2}, {@code e5-small-v2}) needs nothing else; any other model needs a {@code path} (a
   * {@code .onnx} file or a directory, with {@code tokenizer.json}) or a {@code resource} base name on the classpath.
   * The default model is added when not listed.
   *
   * @param json the {@code inference} section, or null
   * @throws ConfigException naming the key, e.g. {@code inference.maxBatch: must be between 1 and 1024, got 0}
   */
  public static InferenceConfig from(JsonObject json) {
    JsonObject in = json == null ? new JsonObject() : json;
    Device device = parse(in, "device", Device.CPU, Device::parse);
    int workers = integer(in, "workers", DEFAULT_WORKERS, 1, 64);
    int cores = Runtime.getRuntime().availableProcessors();
    int configuredThreads = integer(in, "threads", 0, 0, 1024);
    int threads = configuredThreads == 0 ? Math.max(1, cores / workers) : configuredThreads;
    if (device == Device.CPU && (long) threads * workers > Math.max(cores, workers)) {
      throw new ConfigException(PREFIX + "threads", threads + " intra-op threads x " + workers + " workers exceed the "
        + cores + " cores: batches running at once would fight over them (lower threads or workers)");
    }
    int interactiveWorkers = integer(in, "interactiveWorkers", DEFAULT_INTERACTIVE_WORKERS, 0, 64);
    int besideThreads = integer(in, "besideThreads", 1, 0, 1024);
    int maxBatch = integer(in, "maxBatch", DEFAULT_MAX_BATCH, 1, 1024);
    int maxBatchTokens = integer(in, "maxBatchTokens", Math.max(DEFAULT_MAX_BATCH_TOKENS, maxBatch), 1, 1 << 20);
    int maxWaitMs = integer(in, "maxWaitMs", DEFAULT_MAX_WAIT_MS, 0, 10_000);
    int queueCapacity = integer(in, "queueCapacity", DEFAULT_QUEUE_CAPACITY, 1, 1 << 20);
    if (queueCapacity < maxBatch) {
      throw new ConfigException(PREFIX + "queueCapacity", "must be at least maxBatch (" + maxBatch + "), got "
        + queueCapacity);
    }
    ConfigReader lanes = new ConfigReader(in, "inference");
    int bulkCapacity = lanes.integer("bulkCapacity", DEFAULT_QUEUE_CAPACITY, maxBatch, 1 << 20);
    int bulkBatchTokens = lanes.integer("bulkBatchTokens", Math.min(DEFAULT_BULK_BATCH_TOKENS, maxBatchTokens), 1,
      maxBatchTokens);
    double bulkMinShare = lanes.decimal("bulkMinShare", DEFAULT_BULK_MIN_SHARE, 0, 1);
    int bulkMaxWaiting = lanes.integer("bulkMaxWaiting", 256, 0, 1 << 20);
    int queryCacheEntries = lanes.integer("queryCacheEntries", 10_000, 0, 10_000_000);
    int modelMemoryMb = lanes.integer("modelMemoryMb", 0, 0, 1 << 24);
    String defaultModel = parse(in, "defaultModel", KnownModels.BGE_SMALL_EN_V15, String::trim);
    List<ModelSpec> models = models(in);
    Optional<ModelSpec> fallback = models.stream()
      .filter(m -> m.name().equals(defaultModel) || m.ref().equals(defaultModel)).findFirst();
    if (fallback.isEmpty()) {
      ModelSpec known = KnownModels.named(defaultModel).orElseThrow(() -> new ConfigException(PREFIX + "defaultModel",
        defaultModel + " is neither listed in inference.models nor a known model"));
      models.add(0, known);
      fallback = Optional.of(known);
    }
    if (fallback.get().kind() != ModelKind.EMBEDDING) {
      throw new ConfigException(PREFIX + "defaultModel", defaultModel + " must be an embedding model");
    }
    ConfigReader limits = new ConfigReader(in, "inference");
    return new InferenceConfig(device, threads, maxBatch, maxBatchTokens, maxWaitMs, queueCapacity, workers,
      interactiveWorkers, besideThreads, bulkCapacity, bulkBatchTokens, bulkMinShare, bulkMaxWaiting, queryCacheEntries, modelMemoryMb, fallback.get().ref(), models,
      limits.integer("maxInputs", 256, 1, 100_000),
      limits.longValue("maxInputChars", 100_000, 100, 100_000_000));
  }

  /** {@link #modelMemoryMb} in bytes. */
  public long modelMemoryBytes() {
    return modelMemoryMb * 1024L * 1024L;
  }

  /** The default embedding model's spec. */
  public ModelSpec defaultSpec() {
    return models.stream().filter(m -> m.ref().equals(defaultModel)).findFirst().orElseThrow();
  }

  /** The batching part, for every model's lanes. */
  public BatchPolicy batchPolicy() {
    return new BatchPolicy(maxBatch, maxBatchTokens, Duration.ofMillis(maxWaitMs), queueCapacity, bulkCapacity,
      bulkBatchTokens, bulkMinShare, bulkMaxWaiting);
  }

  /**
   * A model entry as {@code inference.models} or {@code POST /v1/admin/models} gives it (see {@link #from}).
   *
   * @param key the entry's key, named in errors
   * @throws ConfigException naming the field that is wrong
   */
  public static ModelSpec modelSpec(String key, JsonObject entry) {
    return model(key, entry);
  }

  private static List<ModelSpec> models(JsonObject in) {
    List<ModelSpec> models = new ArrayList<>();
    Object raw = in.getValue("models");
    if (raw == null) {
      return models;
    }
    if (!(raw instanceof JsonArray array)) {
      throw new ConfigException(PREFIX + "models", "must be a list of {name, path?, resource?, ...} objects");
    }
    for (int i = 0; i < array.size(); i++) {
      String key = PREFIX + "models[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject entry)) {
        throw new ConfigException(key, "must be an object with at least a name");
      }
      ModelSpec spec = model(key, entry);
      if (models.stream().anyMatch(m -> m.ref().equals(spec.ref()))) {
        throw new ConfigException(key + ".name", spec.ref() + " is listed twice");
      }
      models.add(spec);
    }
    return models;
  }

  private static ModelSpec model(String key, JsonObject entry) {
    String name = entry.getValue("name") instanceof String s && !s.isBlank() ? s.trim() : null;
    if (name == null) {
      throw new ConfigException(key + ".name", "is required");
    }
    Optional<ModelSpec> known = KnownModels.named(name);
    String path = parse(entry, key, "path", null, String::trim);
    String resource = parse(entry, key, "resource", null, String::trim);
    if (path != null && resource != null) {
      throw new ConfigException(key + ".path", "give either path or resource, not both");
    }
    ModelSource source;
    if (path != null) {
      try {
        source = ModelSource.ofPath(Path.of(path));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key + ".path", e.getMessage());
      }
    } else if (resource != null) {
      String base = resource.endsWith(".onnx") ? resource.substring(0, resource.length() - 5) : resource;
      source = new ModelSource.Classpath(base + ".onnx", base + "-tokenizer.json");
    } else {
      source = known.map(ModelSpec::source).orElseThrow(() -> new ConfigException(key + ".path",
        "is required for " + name + ", which is not a known model (give path or resource)"));
    }
    ModelKind kind = parse(entry, key, "kind", known.map(ModelSpec::kind).orElse(ModelKind.EMBEDDING),
      ModelKind::parse);
    Pooling pooling = parse(entry, key, "pooling", known.map(ModelSpec::pooling).orElse(Pooling.MEAN),
      Pooling::parse);
    int dims = integer(entry, key, "dims", known.map(ModelSpec::dims).orElse(0), 0, 1 << 16);
    int maxLength = integer(entry, key, "maxLength", ModelSpec.DEFAULT_MAX_LENGTH, 1, 1 << 16);
    String queryPrefix = parse(entry, key, "queryPrefix", known.map(ModelSpec::queryPrefix).orElse(""), s -> s);
    String passagePrefix = parse(entry, key, "passagePrefix", known.map(ModelSpec::passagePrefix).orElse(""), s -> s);
    String version = parse(entry, key, "version", ModelSpec.DEFAULT_VERSION, String::trim);
    if (name.contains("@") || version.isEmpty() || version.contains("@")) {
      throw new ConfigException(key + ".version", "give the name and the version apart, neither containing '@'");
    }
    double weight = new ConfigReader(entry, key).decimal("weight", 1, 0, 1_000_000);
    return new ModelSpec(name, kind, source, pooling, dims, maxLength, queryPrefix, passagePrefix, version, weight);
  }

  private static <T> T parse(JsonObject json, String field, T fallback, java.util.function.Function<String, T> parser) {
    return parse(json, PREFIX.substring(0, PREFIX.length() - 1), field, fallback, parser);
  }

  private static <T> T parse(JsonObject json, String parent, String field, T fallback,
    java.util.function.Function<String, T> parser) {
    Object value = json.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String text)) {
      throw new ConfigException(parent + "." + field, "must be a string, got " + value);
    }
    try {
      return parser.apply(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(parent + "." + field, e.getMessage());
    }
  }

  private static int integer(JsonObject json, String field, int fallback, int min, int max) {
    return integer(json, PREFIX.substring(0, PREFIX.length() - 1), field, fallback, min, max);
  }

  private static int integer(JsonObject json, String parent, String field, int fallback, int min, int max) {
    String key = parent + "." + field;
    Object value = json.getValue(field);
    if (value == null) {
      return fallback;
    }
    long number;
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      number = n.longValue();
    } else if (value instanceof String s && s.trim().matches("-?\\d{1,12}")) {
      number = Long.parseLong(s.trim());
    } else {
      throw new ConfigException(key, "must be a whole number, got " + value);
    }
    if (number < min || number > max) {
      throw new ConfigException(key, "must be between " + min + " and " + max + ", got " + number);
    }
    return (int) number;
  }
}
