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
 * The inference verticle's settings: device, threads, micro-batching and the models to load.
 *
 * @param device {@code cpu} or {@code cuda} (falls back to CPU with a warning when ORT has no CUDA)
 * @param threads ONNX Runtime intra-op threads per model; default: available cores
 * @param maxBatch inputs per batch; 1 disables batching
 * @param maxBatchTokens padded tokens per batch (inputs x longest)
 * @param maxWaitMs how long the oldest queued input waits for a batch to fill
 * @param queueCapacity inputs queued per model before requests are refused with 503
 * @param workers threads draining each model's queue
 * @param defaultModel the embedding model used when a request names none
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
   * strings (environment variables). A {@code models} entry is {@code {name, path?, resource?, kind?, pooling?,
   * dims?, maxLength?, queryPrefix?, passagePrefix?}}: a known name ({@code bge-small-en-v1.5},
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
    int configuredThreads = integer(in, "threads", 0, 0, 1024);
    int threads = configuredThreads == 0 ? Runtime.getRuntime().availableProcessors() : configuredThreads;
    int maxBatch = integer(in, "maxBatch", DEFAULT_MAX_BATCH, 1, 1024);
    int maxBatchTokens = integer(in, "maxBatchTokens", Math.max(DEFAULT_MAX_BATCH_TOKENS, maxBatch), 1, 1 << 20);
    int maxWaitMs = integer(in, "maxWaitMs", DEFAULT_MAX_WAIT_MS, 0, 10_000);
    int queueCapacity = integer(in, "queueCapacity", DEFAULT_QUEUE_CAPACITY, 1, 1 << 20);
    if (queueCapacity < maxBatch) {
      throw new ConfigException(PREFIX + "queueCapacity", "must be at least maxBatch (" + maxBatch + "), got "
        + queueCapacity);
    }
    int workers = integer(in, "workers", DEFAULT_WORKERS, 1, 64);
    String defaultModel = parse(in, "defaultModel", KnownModels.BGE_SMALL_EN_V15, String::trim);
    List<ModelSpec> models = models(in);
    Optional<ModelSpec> fallback = models.stream().filter(m -> m.name().equals(defaultModel)).findFirst();
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
      defaultModel, models, limits.integer("maxInputs", 256, 1, 100_000),
      limits.longValue("maxInputChars", 100_000, 100, 100_000_000));
  }

  /** The batching part, for each model's {@code MicroBatcher}. */
  public BatchPolicy batchPolicy() {
    return new BatchPolicy(maxBatch, maxBatchTokens, Duration.ofMillis(maxWaitMs), queueCapacity, workers);
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
      if (models.stream().anyMatch(m -> m.name().equals(spec.name()))) {
        throw new ConfigException(key + ".name", spec.name() + " is listed twice");
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
    return new ModelSpec(name, kind, source, pooling, dims, maxLength, queryPrefix, passagePrefix);
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
