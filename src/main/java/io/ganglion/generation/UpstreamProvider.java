package io.ganglion.generation;

import io.ganglion.generation.impl.ChatWire;
import io.ganglion.generation.impl.UpstreamExchange;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClient;

/**
 * A provider that speaks one upstream HTTP protocol: what {@link OpenAiCompatibleProvider} and
 * {@link AnthropicProvider} share. The protocol is the {@link ChatWire}; the exchange ({@link UpstreamExchange}:
 * connect and first-byte timeouts, streaming, error bodies) is the same for every protocol. One attempt per call;
 * wrap it in {@link ResilientProvider}.
 * <p>
 * <b>NOTE</b>: thread-safe; share one instance. Call from a Vert.x context.
 */
public abstract class UpstreamProvider implements ChatProvider {

  private final String name;
  private final UpstreamExchange exchange;
  private final boolean responseFormat;

  protected UpstreamProvider(HttpClient client, LlmProviderConfig config, String apiKey, ChatWire wire) {
    this.name = config.name();
    this.exchange = new UpstreamExchange(client, config, apiKey, wire);
    this.responseFormat = wire.supportsResponseFormat();
  }

  @Override
  public final boolean supportsResponseFormat() {
    return responseFormat;
  }

  @Override
  public final ChatStream stream(ChatRequest request, Handler<String> onDelta) {
    return exchange.stream(request, onDelta);
  }

  @Override
  public final ChatStream completion(ChatRequest request) {
    return exchange.completion(request);
  }

  @Override
  public final String name() {
    return name;
  }
}
