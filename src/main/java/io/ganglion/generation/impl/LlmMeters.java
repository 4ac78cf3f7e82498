package io.ganglion.generation.impl;

import io.ganglion.generation.ChatResult;
import io.ganglion.generation.LlmProviderConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One provider's LLM meters, named after OpenTelemetry's generative-AI semantic conventions (Prometheus names in
 * brackets): {@code gen_ai.client.token.usage} by {@code gen_ai.token.type} input/output
 * [{@code gen_ai_client_token_usage}], {@code gen_ai.client.operation.duration}
 * [{@code gen_ai_client_operation_duration_seconds}], {@code gen_ai.server.time_to_first_token}
 * [{@code gen_ai_server_time_to_first_token_seconds}], and {@code ganglion.llm.cost} from the provider's prices
 * [{@code ganglion_llm_cost_usd_total}]. Tagged {@code gen_ai.operation.name=chat}, {@code gen_ai.system} (openai,
 * anthropic), {@code gen_ai.request.model}, {@code ganglion.provider} and, on completion, {@code error.type} when the
 * call failed.
 */
public final class LlmMeters {

  private final MeterRegistry registry;
  private final LlmProviderConfig config;
  private final Tags tags;

  public LlmMeters(MeterRegistry registry, LlmProviderConfig config) {
    this.registry = registry;
    this.config = config;
    this.tags = Tags.of("gen_ai.operation.name", "chat",
      "gen_ai.system", config.type().name().toLowerCase(Locale.ROOT),
      "gen_ai.request.model", config.model(),
      "ganglion.provider", config.name());
  }

  /** The first token arrived {@code nanos} after the call started. */
  public void firstToken(long nanos) {
    Timer.builder("gen_ai.server.time_to_first_token").tags(tags).register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A call ended after {@code nanos}: with {@code result}, or failed ({@code failure} non-null). */
  public void completed(long nanos, ChatResult result, Throwable failure) {
    Tags outcome = failure == null ? tags : tags.and("error.type", failure.getClass().getSimpleName());
    Timer.builder("gen_ai.client.operation.duration").tags(outcome).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    if (result == null) {
      return;
    }
    int input = result.usage().promptTokens();
    int output = result.usage().completionTokens();
    DistributionSummary.builder("gen_ai.client.token.usage").tags(tags.and("gen_ai.token.type", "input"))
      .register(registry).record(input);
    DistributionSummary.builder("gen_ai.client.token.usage").tags(tags.and("gen_ai.token.type", "output"))
      .register(registry).record(output);
    double cost = config.price().cost(input, output);
    Counter.builder("ganglion.llm.cost").tags(tags).baseUnit("usd").register(registry).increment(cost);
  }
}
