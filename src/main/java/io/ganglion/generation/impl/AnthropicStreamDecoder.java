package io.ganglion.generation.impl;

import io.ganglion.generation.ChatResult;
import io.ganglion.generation.FinishReason;
import io.ganglion.generation.TokenUsage;
import io.ganglion.generation.UpstreamException;
import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Decodes the Messages API event sequence: {@code message_start} (model, input tokens), {@code content_block_start},
 * {@code content_block_delta} ({@code text_delta} carries text; other delta types are not text),
 * {@code content_block_stop}, {@code message_delta} (stop reason, cumulative output tokens), {@code message_stop}
 * (the end marker), interleaved {@code ping}s, and {@code error} events (e.g. {@code overloaded_error} mid-stream).
 * Unknown event types are ignored, as Anthropic's versioning policy asks.
 */
final class AnthropicStreamDecoder implements StreamDecoder {

  private final String provider;
  private final StringBuilder text = new StringBuilder();
  private FinishReason finishReason = FinishReason.UNKNOWN;
  private int inputTokens;
  private int outputTokens;
  private String model;
  private boolean finished;

  AnthropicStreamDecoder(String provider) {
    this.provider = provider;
  }

  @Override
  public void accept(SseEvent event, Handler<String> deltas) {
    switch (event.event()) {
      case "message_start" -> {
        JsonObject message = json(event).getJsonObject("message", new JsonObject());
        model = message.getString("model");
        JsonObject usage = message.getJsonObject("usage", new JsonObject());
        inputTokens = usage.getInteger("input_tokens", 0);
        outputTokens = usage.getInteger("output_tokens", 0);
      }
      case "content_block_delta" -> {
        JsonObject delta = json(event).getJsonObject("delta", new JsonObject());
        if ("text_delta".equals(delta.getString("type"))) {
          String fragment = delta.getString("text", "");
          text.append(fragment);
          deltas.handle(fragment);
        }
      }
      case "message_delta" -> {
        JsonObject data = json(event);
        String stopReason = data.getJsonObject("delta", new JsonObject()).getString("stop_reason");
        if (stopReason != null) {
          finishReason = AnthropicWire.finishReason(stopReason);
        }
        JsonObject usage = data.getJsonObject("usage", new JsonObject());
        outputTokens = usage.getInteger("output_tokens", outputTokens);
        inputTokens = usage.getInteger("input_tokens", inputTokens);
      }
      case "message_stop" -> finished = true;
      case "error" -> {
        JsonObject error = json(event).getJsonObject("error", new JsonObject());
        String type = error.getString("type");
        throw new UpstreamException(provider, AnthropicWire.statusOf(type), type, null,
          error.getString("message", "(no message)"), null, null);
      }
      default -> {
        // ping, content_block_start, content_block_stop and future event types carry no text
      }
    }
  }

  private JsonObject json(SseEvent event) {
    try {
      return new JsonObject(event.data());
    } catch (DecodeException e) {
      throw new UpstreamException(provider, 502, null, null, "malformed " + event.event() + " event: "
        + OpenAiWire.abbreviate(event.data()), null, e);
    }
  }

  @Override
  public boolean finished() {
    return finished;
  }

  @Override
  public ChatResult result() {
    return new ChatResult(text.toString(), finishReason, new TokenUsage(inputTokens, outputTokens), model, provider);
  }
}
