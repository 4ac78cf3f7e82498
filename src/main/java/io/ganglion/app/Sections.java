package io.ganglion.app;

import io.ganglion.bridge.BridgeConfig;
import io.ganglion.config.ConfigException;
import io.ganglion.config.ConfigReader;
import io.ganglion.config.GanglionConfig;
import io.ganglion.config.TlsConfig;
import io.ganglion.store.RetentionConfig;
import io.ganglion.generation.LlmConfig;
import io.ganglion.generation.LlmProviders;
import io.ganglion.inference.InferenceConfig;
import io.ganglion.orchestration.OrchestrationConfig;
import io.ganglion.orchestration.agents.AgentsConfig;
import io.ganglion.orchestration.tools.ToolsConfig;
import io.ganglion.reflex.ReflexCacheConfig;
import io.ganglion.reflex.ReflexConfig;
import io.ganglion.reflex.ReflexRulesConfig;
import io.ganglion.retrieval.DurabilityConfig;
import io.ganglion.retrieval.RetrievalConfig;
import io.ganglion.webhooks.WebhooksConfig;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Every section of the configuration, parsed once by {@link Main} before anything starts (stores, models), so a bad
 * key anywhere fails start at once with exit code 2 and a message naming it. The shared sections live in
 * {@code io.ganglion.config}; each verticle's record lives in its package and is parsed again by the verticle from its
 * deployment config (cheap; the verticle may be deployed alone, as tests do). A new section adds one line here.
 */
final class Sections {

  /** One section: its top-level key and the parser of its record (throws {@link ConfigException}). */
  record Section(String key, Consumer<JsonObject> parse) {
  }

  private Sections() {
  }

  /** The verticle sections, in deployment order; the shared ones are parsed by {@link GanglionConfig#from}. */
  static List<Section> verticleSections(Function<String, String> env) {
    return List.of(
      new Section("inference", tree -> InferenceConfig.from(section(tree, "inference"))),
      new Section("retrieval", tree -> {
        RetrievalConfig.from(section(tree, "retrieval"));
        DurabilityConfig.from(section(tree, "retrieval"));
      }),
      new Section("reflex", tree -> {
        JsonObject reflex = section(tree, "reflex");
        ReflexConfig.from(reflex);
        ReflexCacheConfig.from(reflex);
        ReflexRulesConfig.from(reflex);
      }),
      new Section("orchestration", tree -> {
        OrchestrationConfig.from(tree);
        AgentsConfig.from(tree);
      }),
      new Section("bridge", tree -> BridgeConfig.from(section(tree, "bridge"))),
      new Section("tools", ToolsConfig::from),
      new Section("llm", tree -> LlmProviders.apiKeys(LlmConfig.from(section(tree, "llm")), env)),
      new Section("tls", tree -> TlsConfig.from(section(tree, "tls"))),
      new Section("retention", tree -> RetentionConfig.from(section(tree, "retention"))),
      new Section("webhooks", tree -> WebhooksConfig.from(section(tree, "webhooks"))));
  }

  /**
   * Parses every section of {@code tree}.
   *
   * @param env reads an environment variable (LLM providers' {@code apiKeyEnv})
   * @return the shared sections
   * @throws ConfigException naming the first bad key
   */
  static GanglionConfig validate(JsonObject tree, Function<String, String> env) {
    GanglionConfig global = GanglionConfig.from(tree);
    io.ganglion.config.TracingConfig.from(section(tree, "tracing"));
    io.ganglion.config.ClusterTlsConfig.from(tree);
    for (Section section : verticleSections(env)) {
      section.parse().accept(tree);
    }
    return global;
  }

  private static JsonObject section(JsonObject tree, String key) {
    return new ConfigReader(tree, "").child(key).raw();
  }
}
