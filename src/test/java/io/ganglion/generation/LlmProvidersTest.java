package io.ganglion.generation;

import io.ganglion.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import java.util.concurrent.TimeUnit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LlmProvidersTest {

  private static final ChatProvider EXTRACTIVE = (request, onDelta) -> ChatStream.of(Future.succeededFuture(
    new ChatResult("extracted", FinishReason.STOP, TokenUsage.NONE, "extractive", "extractive")));

  @Test
  @DisplayName("The default chain is the default provider, its fallbacks in order, then the final generator")
  void buildsChains(Vertx vertx) {
    LlmConfig config = LlmConfig.from(new JsonObject().put("default", "local").put("providers", new JsonArray()
      .add(new JsonObject().put("name", "claude").put("type", "anthropic").put("baseUrl", "https://api.anthropic.com")
        .put("model", "claude").put("apiKeyEnv", "ANTHROPIC_API_KEY"))
      .add(new JsonObject().put("name", "local").put("type", "openai").put("baseUrl", "http://localhost:11434/v1")
        .put("model", "llama3").put("fallback", new JsonArray().add("claude")))));
    LlmProviders providers = LlmProviders.create(vertx, config, Map.of("ANTHROPIC_API_KEY", "k")::get);

    ChatProvider chain = providers.defaultChain(EXTRACTIVE);

    assertThat(chain).isInstanceOfSatisfying(FallbackChain.class, c ->
      assertThat(c.links()).extracting(ChatProvider::name).containsExactly("local", "claude", "generator"));
    assertThat(providers.provider("claude")).isPresent();
    providers.close().await();
  }

  @Test
  @DisplayName("With no providers configured, generation is the final generator alone")
  void extractiveOnly(Vertx vertx) {
    LlmProviders providers = LlmProviders.create(vertx, LlmConfig.none(), name -> null);

    assertThat(providers.defaultChain(EXTRACTIVE)).isSameAs(EXTRACTIVE);
  }

  @Test
  @DisplayName("An unset API key variable fails start with the provider's apiKeyEnv key")
  void missingApiKey(Vertx vertx) {
    LlmConfig config = LlmConfig.from(new JsonObject().put("providers", new JsonArray()
      .add(new JsonObject().put("name", "openai").put("type", "openai").put("baseUrl", "https://api.openai.com/v1")
        .put("model", "gpt").put("apiKeyEnv", "OPENAI_API_KEY"))));

    ConfigException failure = catchThrowableOfType(ConfigException.class,
      () -> LlmProviders.create(vertx, config, name -> null));

    assertThat(failure.key()).isEqualTo("llm.providers[0].apiKeyEnv");
    assertThat(failure.getMessage()).contains("OPENAI_API_KEY");
  }
}
