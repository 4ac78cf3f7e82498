package io.ganglion.generation;

import io.ganglion.generation.impl.AnthropicWire;
import io.vertx.core.http.HttpClient;

/**
 * A client of Anthropic's Messages API, {@code POST {baseUrl}/v1/messages} with {@code x-api-key} and
 * {@code anthropic-version: 2023-06-01}. The system prompt goes in the top-level {@code system} field; streams
 * read {@code text_delta}s until {@code message_stop}, with usage from {@code message_start} and
 * {@code message_delta}, and fail on an {@code error} event.
 * One attempt per call; wrap it in {@link ResilientProvider}.
 */
public final class AnthropicProvider extends UpstreamProvider {

  /**
   * @param client shared HTTP client
   * @param config the provider's configuration ({@code type: anthropic})
   * @param apiKey the API key
   */
  public AnthropicProvider(HttpClient client, LlmProviderConfig config, String apiKey) {
    super(client, config, apiKey, new AnthropicWire());
  }
}
