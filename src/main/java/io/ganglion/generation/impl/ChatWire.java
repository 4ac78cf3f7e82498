package io.ganglion.generation.impl;

import io.ganglion.generation.LlmProviderConfig;
import io.ganglion.generation.ChatRequest;
import io.ganglion.generation.ChatResult;
import io.ganglion.generation.UpstreamException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/** One provider protocol's wire format: request encoding, response and error decoding. Stateless. */
public interface ChatWire {

  /** The endpoint path appended to the configured base URL. */
  String path();

  /** Adds authentication and protocol headers; {@code apiKey} may be {@code null} for keyless servers. */
  void putHeaders(RequestOptions options, String apiKey);

  /** Whether {@link #requestBody} carries a request's {@code responseFormat} (OpenAI's {@code response_format}). */
  default boolean supportsResponseFormat() {
    return false;
  }

  /** The JSON request body. */
  JsonObject requestBody(ChatRequest request, LlmProviderConfig config, boolean stream);

  /**
   * Decodes a successful non-streaming response.
   *
   * @throws RuntimeException when the body does not have the protocol's shape
   */
  ChatResult decodeResponse(String provider, JsonObject body);

  /** A fresh decoder for one streamed response. */
  StreamDecoder streamDecoder(String provider);

  /** Reads an error body (which may be empty or not JSON at all) into an exception. */
  UpstreamException decodeError(String provider, int status, Buffer body, Duration retryAfter);
}
