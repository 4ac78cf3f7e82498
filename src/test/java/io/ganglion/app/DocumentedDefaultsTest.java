package io.ganglion.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.ganglion.bridge.BridgeConfig;
import io.ganglion.config.ClusterTlsConfig;
import io.ganglion.config.ConfigLoader;
import io.ganglion.config.GanglionConfig;
import io.ganglion.config.TlsConfig;
import io.ganglion.config.TracingConfig;
import io.ganglion.inference.InferenceConfig;
import io.ganglion.orchestration.OrchestrationConfig;
import io.ganglion.orchestration.agents.AgentsConfig;
import io.ganglion.orchestration.tools.ToolsConfig;
import io.ganglion.reflex.ReflexCacheConfig;
import io.ganglion.reflex.ReflexConfig;
import io.ganglion.reflex.ReflexRulesConfig;
import io.ganglion.reflex.ReflexVerdictsConfig;
import io.ganglion.retrieval.DurabilityConfig;
import io.ganglion.retrieval.RetrievalConfig;
import io.ganglion.store.RetentionConfig;
import io.ganglion.webhooks.WebhooksConfig;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * conf/ganglion.yaml documents every key "with its default", and each section's record carries its own defaults
 * beside the code (what a verticle deployed alone, or a key missing from an operator's tree, gets). The two must
 * agree, or the file documents a value the code does not use. ({@code GanglionConfig.tree} is the raw tree itself,
 * not a default.)
 */
@DisplayName("The defaults documented in conf/ganglion.yaml")
class DocumentedDefaultsTest {

  private static final JsonObject DOCUMENTED = ConfigLoader.defaults();

  static Stream<Arguments> sections() {
    return Stream.of(
      section("inference", InferenceConfig::from),
      section("retrieval", RetrievalConfig::from),
      section("retrieval", DurabilityConfig::from),
      section("reflex", ReflexConfig::from),
      section("reflex", ReflexCacheConfig::from),
      section("reflex", ReflexRulesConfig::from),
      section("reflex", ReflexVerdictsConfig::from),
      section("bridge", BridgeConfig::from),
      section("tls", TlsConfig::from),
      section("retention", RetentionConfig::from),
      section("webhooks", WebhooksConfig::from),
      section("tracing", TracingConfig::from),
      root("orchestration", OrchestrationConfig::from),
      root("agents", AgentsConfig::from),
      root("tools", ToolsConfig::from),
      root("cluster.tls", ClusterTlsConfig::from),
      root("http, postgres, redis, admin, jwt, limits, cors, bus, cluster", GanglionConfig::from));
  }

  private static Arguments section(String key, Function<JsonObject, Object> parse) {
    Function<JsonObject, Object> ofTree = tree -> parse.apply(tree.getJsonObject(key, new JsonObject()));
    return Arguments.of(key + " (" + parse.apply(new JsonObject()).getClass().getSimpleName() + ")", ofTree);
  }

  private static Arguments root(String key, Function<JsonObject, Object> parse) {
    return Arguments.of(key + " (" + parse.apply(new JsonObject()).getClass().getSimpleName() + ")", parse);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sections")
  @DisplayName("are the defaults its record uses when a key is absent")
  void documentedDefaultsAreTheCodes(String section, Function<JsonObject, Object> parse) {
    assertThat(parse.apply(DOCUMENTED.copy()))
      .as("%s parsed from conf/ganglion.yaml vs from an empty tree", section)
      .usingRecursiveComparison()
      .ignoringFields("tree")
      .isEqualTo(parse.apply(new JsonObject()));
  }
}
