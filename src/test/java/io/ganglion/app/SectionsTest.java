package io.ganglion.app;

import io.ganglion.config.ConfigException;
import io.ganglion.config.ConfigLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Start-up validation of every configuration section")
class SectionsTest {

  @Test
  @DisplayName("the defaults validate, and every verticle section is checked")
  void defaultsValidate() {
    assertThat(Sections.validate(ConfigLoader.load(List.of(), Map.of()), name -> null).http().port()).isEqualTo(8080);
    assertThat(Sections.verticleSections(name -> null)).extracting(Sections.Section::key)
      .containsExactly("inference", "retrieval", "reflex", "orchestration", "bridge", "tools", "llm", "tls", "retention",
        "webhooks");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "reflex.injection.threshold, 2",
    "reflex.cache.ttlSeconds, 0",
    "reflex.rulesCheckMs, 1",
    "inference.maxBatch, 0",
    "inference.maxInputs, 0",
    "retrieval.shards, 0",
    "orchestration.topK, 0",
    "orchestration.runs.maxSteps, 0",
    "tools.timeoutMs, 5",
    "tools.httpFetch.maxBytes, 1",
    "retention.tracesDays, -1",
    "webhooks.maxAttempts, 0",
    "webhooks.timeoutMs, 5",
    "tls.hstsMaxAgeSeconds, -1",
    "http.allowCidrs, 10.0.0.0/33",
    "http.keyStaleSeconds, 5",
    "http.inFlight.asks, -1",
    "bridge.maxConnectionsPerKey, 0",
    "http.port, 70000"})
  @DisplayName("a bad key of any section fails validation with a message naming the key")
  void badKeyNamed(String key, String value) {
    var tree = ConfigLoader.load(List.of("--" + key + "=" + value), Map.of());

    assertThatThrownBy(() -> Sections.validate(tree, name -> null))
      .isInstanceOf(ConfigException.class)
      .hasMessageStartingWith(key);
  }

  @Test
  @DisplayName("an MCP server or a configured agent that names no tenants, or an exec program that is not absolute, fails naming the key")
  void agentKeys() {
    var J = new io.vertx.core.json.JsonObject();
    var mcp = ConfigLoader.load(List.of(), Map.of()).put("tools", J.copy().put("mcp", new io.vertx.core.json.JsonArray()
      .add(J.copy().put("name", "files").put("command", new io.vertx.core.json.JsonArray().add("/bin/server")))));
    var agents = ConfigLoader.load(List.of(), Map.of()).put("agents", new io.vertx.core.json.JsonArray()
      .add(J.copy().put("name", "helper")));
    var exec = ConfigLoader.load(List.of("--tools.exec.programs=wc"), Map.of());

    assertThatThrownBy(() -> Sections.validate(mcp, name -> null)).hasMessageStartingWith("tools.mcp[0].tenants");
    assertThatThrownBy(() -> Sections.validate(agents, name -> null)).hasMessageStartingWith("agents[0].tenants");
    assertThatThrownBy(() -> Sections.validate(exec, name -> null)).hasMessageStartingWith("tools.exec.programs[0]");
  }

  @Test
  @DisplayName("a section given as a scalar fails naming the section, not with a ClassCastException")
  void scalarSection() {
    var tree = ConfigLoader.load(List.of(), Map.of()).put("reflex", "on");

    assertThatThrownBy(() -> Sections.validate(tree, name -> null))
      .isInstanceOf(ConfigException.class)
      .hasMessageStartingWith("reflex");
  }

  @Test
  @DisplayName("an LLM provider whose apiKeyEnv is unset fails validation naming the key")
  void missingApiKey() {
    var tree = ConfigLoader.load(List.of(), Map.of()).put("llm", new io.vertx.core.json.JsonObject()
      .put("providers", new io.vertx.core.json.JsonArray().add(new io.vertx.core.json.JsonObject()
        .put("name", "openai").put("type", "openai").put("baseUrl", "http://127.0.0.1:1/v1").put("model", "m")
        .put("apiKeyEnv", "NO_SUCH_KEY"))));

    assertThatThrownBy(() -> Sections.validate(tree, name -> null))
      .isInstanceOf(ConfigException.class)
      .hasMessageStartingWith("llm.providers[0].apiKeyEnv");
  }
}
