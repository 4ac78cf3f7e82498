package io.ganglion.generation;

import io.ganglion.generation.impl.OpenAiWire;
import io.vertx.core.http.HttpClient;

/**
 * A client of {@code POST {baseUrl}/chat/completions}, the OpenAI Chat Completions protocol that OpenAI, vLLM,
 * Ollama ({@code /v1}), llama.cpp server, TGI, LM Studio, Groq and Together all serve.
 * <p>
 * Streams with {@code stream: true} and {@code stream_options.include_usage}, reading {@code choices[0].delta.content}
 * until {@code data: [DONE]}; authenticates with {@code Authorization: Bearer <key>} when a key is configured.
 * One attempt per call, bounded by the connect and first-byte timeouts; wrap it in {@link ResilientProvider} for
 * retries, the circuit breaker, the concurrency limit and the total timeout.
 */
public final class OpenAiCompatibleProvider extends UpstreamProvider {

  /**
   * @param client shared HTTP client
   * @param config the provider's configuration ({@code type: openai})
   * @param apiKey the API key, or {@code null} for a keyless local server
   */
  public OpenAiCompatibleProvider(HttpClient client, LlmProviderConfig config, String apiKey) {
    super(client, config, apiKey, new OpenAiWire());
  }
}
