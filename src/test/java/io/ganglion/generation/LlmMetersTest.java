package io.ganglion.generation;

import io.ganglion.generation.impl.RetryBackoff;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("LLM meters named after OpenTelemetry's generative-AI conventions")
class LlmMetersTest {

  @Test
  @DisplayName("a streamed call records input and output tokens, its duration, time to first token and its cost, per provider and model")
  void streamedCall(Vertx vertx) {
    FakeUpstream upstream = FakeUpstream.start(vertx);
    upstream.answering((attempt, request, body) ->
      Wire.sseAll(request.response(), Wire.openAiStream(List.of("Hel", "lo"), 1200, 300)));
    LlmProviderConfig config = Wire.config("priced", "openai", upstream.baseUrl(), new JsonObject()
      .put("inputCostPerMillionTokens", 2.5).put("outputCostPerMillionTokens", 10.0));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ResilientProvider provider = new ResilientProvider(vertx, Wire.openAi(vertx, config), config,
      new RetryBackoff(5, 20), registry);

    provider.stream(ChatRequest.of("Be brief.", "Hi?"), delta -> { }).result().await();

    assertThat(registry.get("gen_ai.client.token.usage").tag("gen_ai.token.type", "input")
      .tag("ganglion.provider", "priced").tag("gen_ai.request.model", "test-model").summary().totalAmount()).isEqualTo(1200);
    assertThat(registry.get("gen_ai.client.token.usage").tag("gen_ai.token.type", "output").summary().totalAmount())
      .isEqualTo(300);
    assertThat(registry.get("gen_ai.client.operation.duration").tag("gen_ai.system", "openai").timer().count()).isEqualTo(1);
    assertThat(registry.get("gen_ai.server.time_to_first_token").timer().totalTime(TimeUnit.NANOSECONDS)).isPositive();
    assertThat(registry.get("ganglion.llm.cost").counter().count()).isCloseTo((1200 * 2.5 + 300 * 10.0) / 1e6,
      org.assertj.core.data.Offset.offset(1e-12));
  }
}
