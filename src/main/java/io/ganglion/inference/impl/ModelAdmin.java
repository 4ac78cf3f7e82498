package io.ganglion.inference.impl;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.ErrorCode;
import io.ganglion.config.ConfigException;
import io.ganglion.inference.InferenceConfig;
import io.ganglion.inference.batch.BatchDispatcher;
import io.ganglion.inference.onnx.GraphLoader;
import io.ganglion.inference.onnx.LoadedModel;
import io.ganglion.inference.onnx.ModelLoadException;
import io.ganglion.inference.onnx.ModelRegistry;
import io.ganglion.inference.onnx.ModelSpec;
import io.ganglion.inference.onnx.UnknownModelException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Loads and unloads models at runtime ({@code ganglion.inference.model.load} / {@code .unload}, behind
 * {@code /v1/admin/models}).
 * <ul>
 *   <li>Load: the entry is read like an {@code inference.models} entry (a known name, or a path; {@code version}
 *   defaults to 1), refused with 4130 when its estimated memory ({@value #MEMORY_FACTOR} x the graph's size, what an
 *   ORT session holds, per session: two with {@code inference.besideThreads}) exceeds the physical memory free or the {@code inference.modelMemoryMb} budget left, loaded and
 *   warmed up on a worker thread, and only then added to the registry and the dispatcher: it never serves cold.</li>
 *   <li>Unload: refused with 4090 for the default embedding model and while any knowledge base records the model
 *   ({@code ganglion.retrieval.model.users}); otherwise what waits for it fails, and the model closes once its running
 *   batches finish.</li>
 * </ul>
 * <b>NOTE</b>: call on the inference verticle's event loop.
 */
public final class ModelAdmin {

  /** An ORT session holds about this many times its graph's bytes (weights, arena, optimised copies). */
  static final int MEMORY_FACTOR = 3;

  private static final Logger log = LoggerFactory.getLogger(ModelAdmin.class);

  private final Vertx vertx;
  private final ModelRegistry registry;
  private final BatchDispatcher dispatcher;
  private final GraphLoader graphs;
  private final QueryCache queries;
  private final long memoryBudgetBytes;
  private final long timeoutMs;
  private final Set<String> loading = new HashSet<>();

  /**
   * @param memoryBudgetBytes what all models together may take by estimate; 0 for no budget (only free memory counts)
   * @param timeoutMs deadline of the knowledge-base look-up before an unload
   */
  public ModelAdmin(Vertx vertx, ModelRegistry registry, BatchDispatcher dispatcher, GraphLoader graphs,
                    QueryCache queries, long memoryBudgetBytes, long timeoutMs) {
    this.vertx = vertx;
    this.registry = registry;
    this.dispatcher = dispatcher;
    this.graphs = graphs;
    this.queries = queries;
    this.memoryBudgetBytes = memoryBudgetBytes;
    this.timeoutMs = timeoutMs;
  }

  /** Loads the model {@code body} describes; replies with its description. */
  public Future<JsonObject> load(JsonObject body) {
    ModelSpec spec;
    try {
      spec = InferenceConfig.modelSpec("model", body);
    } catch (ConfigException e) {
      throw ErrorCode.INVALID_REQUEST.exception(e.getMessage());
    }
    String ref = spec.ref();
    if (registry.all().stream().anyMatch(m -> m.spec().ref().equals(ref)) || !loading.add(ref)) {
      throw ErrorCode.CONFLICT.exception("model " + ref + " is already loaded (or loading); load another version");
    }
    return vertx.executeBlocking(() -> {
        checkMemory(spec);
        return ModelRegistry.loadOne(spec, graphs);
      }, false)
      .map(model -> {
        registry.add(model);
        dispatcher.add(model);
        log.info("model {} loaded at runtime", ref);
        return InferenceDescriptions.of(model.spec(), registry);
      })
      .recover(failure -> Future.failedFuture(failure instanceof ModelLoadException e
        ? ErrorCode.UNPROCESSABLE.exception(e.getMessage()) : failure))
      .eventually(() -> {
        loading.remove(ref);
        return Future.succeededFuture();
      });
  }

  /**
   * Loads, one after another, each of {@code entries} ({@code name@version} → {@code inference.models} entry, as
   * {@link RuntimeModels} records them) that this node neither has nor is loading: what a node that joins after a
   * runtime load, or missed one, needs. A model that fails to load here is logged and skipped (searches of its
   * knowledge bases on this node then fail with 5031 naming it); the future never fails.
   */
  public Future<Void> loadMissing(Map<String, JsonObject> entries) {
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<String, JsonObject> entry : entries.entrySet()) {
      String ref = entry.getKey();
      chain = chain.compose(v -> {
        if (loading.contains(ref) || registry.all().stream().anyMatch(m -> m.spec().ref().equals(ref))) {
          return Future.succeededFuture();
        }
        log.info("loading {}, which was loaded at runtime (recorded in runtime_models)", ref);
        return Future.succeededFuture().compose(x -> load(entry.getValue())).<Void>mapEmpty()
          .recover(failure -> {
            log.warn("could not load {}, which the cluster loaded at runtime: {}", ref, failure.getMessage());
            return Future.succeededFuture();
          });
      });
    }
    return chain;
  }

  /** Unloads {@code {"model":"name@version"}}, unless something depends on it. */
  public Future<JsonObject> unload(JsonObject body) {
    if (!(body.getValue("model") instanceof String ref) || !ref.contains("@")) {
      throw ErrorCode.INVALID_REQUEST.exception("'model' must name a loaded model as name@version");
    }
    LoadedModel<?, ?> model = registry.all().stream().filter(m -> m.spec().ref().equals(ref)).findFirst()
      .orElseThrow(() -> new UnknownModelException(ref, registry.all().stream().map(m -> m.spec().ref()).toList()));
    if (ref.equals(registry.defaultEmbedding())) {
      throw ErrorCode.CONFLICT.exception(ref + " is the default embedding model (inference.defaultModel)");
    }
    return users(ref).compose(users -> {
      if (!users.isEmpty()) {
        return Future.failedFuture(ErrorCode.CONFLICT.exception("model " + ref + " is in use by " + users.size()
          + " knowledge base(s): " + String.join(", ", users.stream().limit(5).map(String::valueOf).toList())));
      }
      registry.remove(ref);
      queries.forget(ref);
      return dispatcher.remove(ref, new UnknownModelException("model " + ref + " was unloaded"))
        .compose(drained -> vertx.executeBlocking(() -> {
          model.close();
          return new JsonObject().put("unloaded", ref);
        }));
    });
  }

  /** Knowledge bases ({@code tenant/name}) that record {@code ref}; retrieval answers for the whole cluster's PostgreSQL. */
  private Future<JsonArray> users(String ref) {
    if (registry.all().stream().anyMatch(m -> m.spec().ref().equals(ref)
      && m.spec().kind() != io.ganglion.inference.onnx.ModelKind.EMBEDDING)) {
      return Future.succeededFuture(new JsonArray());
    }
    return vertx.eventBus().<JsonObject>request(Addresses.RETRIEVAL_MODEL_USERS, new JsonObject().put("model", ref),
        Deadlines.within(timeoutMs))
      .map(reply -> reply.body().getJsonArray("kbs", new JsonArray()))
      .recover(failure -> Future.failedFuture(ErrorCode.UNAVAILABLE.exception("cannot tell which knowledge bases use "
        + ref + " (retrieval did not answer: " + failure.getMessage() + "); not unloading it")));
  }

  private void checkMemory(ModelSpec spec) throws IOException {
    long graph = Files.size(spec.source().graphFile());
    long needed = graph * MEMORY_FACTOR * graphs.sessionsPerGraph();
    long free = freePhysicalMemory();
    if (needed > free) {
      throw ErrorCode.PAYLOAD_TOO_LARGE.exception("loading " + spec.ref() + " needs about " + mb(needed)
        + " MB and " + mb(free) + " MB of memory are free");
    }
    if (memoryBudgetBytes > 0) {
      long used = 0;
      for (LoadedModel<?, ?> m : registry.all()) {
        used += Files.size(m.spec().source().graphFile()) * MEMORY_FACTOR * graphs.sessionsPerGraph();
      }
      if (used + needed > memoryBudgetBytes) {
        throw ErrorCode.PAYLOAD_TOO_LARGE.exception("loading " + spec.ref() + " needs about " + mb(needed)
          + " MB; the loaded models take about " + mb(used) + " MB of the " + mb(memoryBudgetBytes)
          + " MB of inference.modelMemoryMb");
      }
    }
  }

  /** What the kernel says a new allocation can still get (MemAvailable counts reclaimable cache; MemFree does not). */
  private static long freePhysicalMemory() {
    try {
      for (String line : Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemAvailable:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux: ask the JVM
    }
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getFreeMemorySize();
    }
    return Long.MAX_VALUE;
  }

  private static long mb(long bytes) {
    return bytes / (1024 * 1024);
  }
}
