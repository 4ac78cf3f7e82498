package io.ganglion.generation;

import io.ganglion.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class LlmConfigTest {

  private static JsonObject provider(String name, String type) {
    return new JsonObject().put("name", name).put("type", type)
      .put("baseUrl", "https://api.example.com/v1/").put("model", "m");
  }

  private static JsonObject llm(JsonObject... providers) {
    return new JsonObject().put("providers", new JsonArray(java.util.List.of((Object[]) providers)));
  }

  private static ConfigException failure(JsonObject json) {
    return catchThrowableOfType(ConfigException.class, () -> LlmConfig.from(json));
  }

  @Test
  @DisplayName("Providers parse in order with defaults, a trimmed base URL and the first as default")
  void parsesWithDefaults() {
    LlmConfig config = LlmConfig.from(llm(
      provider("openai", "openai").put("apiKeyEnv", "OPENAI_API_KEY").put("fallback", new JsonArray().add("claude")),
      provider("claude", "anthropic").put("timeoutMs", 20_000).put("maxConcurrency", 4)));

    assertThat(config.providers().keySet()).containsExactly("openai", "claude");
    assertThat(config.defaultProvider()).isEqualTo("openai");
    LlmProviderConfig openai = config.provider("openai");
    assertThat(openai.type()).isEqualTo(LlmProviderConfig.Type.OPENAI);
    assertThat(openai.baseUrl()).isEqualTo("https://api.example.com/v1");
    assertThat(openai.timeoutMs()).isEqualTo(60_000);
    assertThat(openai.maxRetries()).isEqualTo(2);
    assertThat(openai.fallback()).containsExactly("claude");
    assertThat(config.provider("claude").maxConcurrency()).isEqualTo(4);
    assertThat(config.provider("claude").apiKeyEnv()).isNull();
  }

  @Test
  @DisplayName("No llm section means no providers and no default")
  void absent() {
    assertThat(LlmConfig.from(null).providers()).isEmpty();
    assertThat(LlmConfig.from(new JsonObject()).defaultProvider()).isNull();
  }

  @Test
  @DisplayName("Errors name the exact key: a missing baseUrl, an unknown type, a bad number")
  void namesKeys() {
    assertThat(failure(llm(provider("a", "openai"), provider("b", "openai").putNull("baseUrl"))).key())
      .isEqualTo("llm.providers[1].baseUrl");
    assertThat(failure(llm(provider("a", "gemini"))).key()).isEqualTo("llm.providers[0].type");
    assertThat(failure(llm(provider("a", "openai").put("baseUrl", "api.example.com"))).key())
      .isEqualTo("llm.providers[0].baseUrl");
    assertThat(failure(llm(provider("a", "openai").put("maxConcurrency", 0))).getMessage())
      .startsWith("llm.providers[0].maxConcurrency: must be between 1");
    assertThat(failure(llm(provider("a", "openai").put("timeoutMs", "fast"))).key())
      .isEqualTo("llm.providers[0].timeoutMs");
  }

  @Test
  @DisplayName("Fallbacks must name other configured providers, once each; names and default must be valid")
  void validatesReferences() {
    assertThat(failure(llm(provider("a", "openai").put("fallback", new JsonArray().add("zzz")))).key())
      .isEqualTo("llm.providers[0].fallback[0]");
    assertThat(failure(llm(provider("a", "openai").put("fallback", new JsonArray().add("a")))).getMessage())
      .contains("itself");
    assertThat(failure(llm(provider("a", "openai"), provider("a", "anthropic"))).key())
      .isEqualTo("llm.providers[1].name");
    assertThat(failure(llm(provider("a", "openai")).put("default", "b")).key()).isEqualTo("llm.default");
  }
}
