package io.ganglion.generation.impl;

import io.ganglion.generation.ChatResult;
import io.ganglion.generation.FinishReason;
import io.ganglion.generation.TokenUsage;
import io.ganglion.generation.ToolCall;
import io.ganglion.generation.UpstreamException;
import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Decodes the Messages API event sequence: {@code message_start} (model, input tokens), {@code content_block_start},
 * {@code content_block_delta} ({@code text_delta} carries text; other delta types are not text),
 * {@code content_block_stop}, {@code message_delta} (stop reason, cumulative output tokens), {@code message_stop}
 * (the end marker), interleaved {@code ping}s, and {@code error} events (e.g. {@code overloaded_error} mid-stream).
 * Unknown event types are ignored, as Anthropic's versioning policy asks.
 * <p>
 * A tool call is a content block: {@code content_block_start} with {@code {"type":"tool_use","id","name","input":{}}}
 * at its {@code index}, {@code input_json_delta}s whose {@code partial_json} pieces join into the arguments, and
 * {@code content_block_stop}. An empty join means no arguments ({@code {}}).
 */
final class AnthropicStreamDecoder implements StreamDecoder {

  private final String provider;
  private final StringBuilder text = new StringBuilder();
  private FinishReason finishReason = FinishReason.UNKNOWN;
  private int inputTokens;
  private int outputTokens;
  private String model;
  private boolean finished;
  private final SortedMap<Integer, ToolUse> toolUses = new TreeMap<>();

  /** A {@code tool_use} block being streamed. */
  private record ToolUse(String id, String name, StringBuilder json) {
  }

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
      case "content_block_start" -> {
        JsonObject data = json(event);
        JsonObject block = data.getJsonObject("content_block", new JsonObject());
        if ("tool_use".equals(block.getString("type"))) {
          int index = data.getInteger("index", toolUses.size());
          toolUses.put(index, new ToolUse(block.getString("id", "toolu_" + index), block.getString("name"),
            new StringBuilder()));
        }
      }
      case "content_block_delta" -> {
        JsonObject data = json(event);
        JsonObject delta = data.getJsonObject("delta", new JsonObject());
        if ("text_delta".equals(delta.getString("type"))) {
          String fragment = delta.getString("text", "");
          text.append(fragment);
          deltas.handle(fragment);
        } else if ("input_json_delta".equals(delta.getString("type"))) {
          ToolUse use = toolUses.get(data.getInteger("index", -1));
          if (use != null) {
            use.json().append(delta.getString("partial_json", ""));
          }
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
        // ping, content_block_stop and future event types carry no text
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
    List<ToolCall> calls = new ArrayList<>();
    toolUses.values().forEach(use -> calls.add(new ToolCall(use.id(), use.name(), use.json().toString())));
    return new ChatResult(text.toString(), finishReason, new TokenUsage(inputTokens, outputTokens), model, provider,
      calls);
  }
}
