package io.ganglion.generation;

import io.ganglion.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("conf/providers.example.yaml")
class ProvidersExampleTest {

  @Test
  @DisplayName("loads as an operator file and validates as an llm section with a fallback chain")
  void validates() {
    JsonObject tree = ConfigLoader.load(List.of("--config", "conf/providers.example.yaml"), Map.of());
    LlmConfig llm = LlmConfig.from(tree.getJsonObject("llm"));
    assertThat(llm.defaultProvider()).isEqualTo("openai");
    assertThat(llm.providers()).containsKeys("openai", "claude");
    assertThat(llm.providers().get("openai").fallback()).containsExactly("claude");
  }
}
