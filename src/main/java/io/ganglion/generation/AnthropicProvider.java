package io.ganglion.generation;

import io.ganglion.generation.impl.AnthropicWire;
import io.ganglion.generation.impl.UpstreamExchange;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClient;

/**
 * A client of Anthropic's Messages API, {@code POST {baseUrl}/v1/messages} with {@code x-api-key} and
 * {@code anthropic-version: 2023-06-01}. The system prompt goes in the top-level {@code system} field; streams
 * read {@code text_delta}s until {@code message_stop}, with usage from {@code message_start} and
 * {@code message_delta}, and fail on an {@code error} event.
 * One attempt per call; wrap it in {@link ResilientProvider}.
 * <p>
 * <b>NOTE</b>: thread-safe; share one instance. Call from a Vert.x context.
 */
public final class AnthropicProvider implements ChatProvider {

  private final String name;
  private final UpstreamExchange exchange;

  /**
   * @param client shared HTTP client
   * @param config the provider's configuration ({@code type: anthropic})
   * @param apiKey the API key
   */
  public AnthropicProvider(HttpClient client, LlmProviderConfig config, String apiKey) {
    this.name = config.name();
    this.exchange = new UpstreamExchange(client, config, apiKey, new AnthropicWire());
  }

  @Override
  public ChatStream stream(ChatRequest request, Handler<String> onDelta) {
    return exchange.stream(request, onDelta);
  }

  @Override
  public ChatStream completion(ChatRequest request) {
    return exchange.completion(request);
  }

  @Override
  public String name() {
    return name;
  }
}
