package io.ganglion.generation.impl;

import io.ganglion.generation.ChatResult;
import io.ganglion.generation.FinishReason;
import io.ganglion.generation.TokenUsage;
import io.ganglion.generation.ToolCall;
import io.ganglion.generation.UpstreamException;
import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Decodes {@code data: {"choices":[{"delta":{"content":"..."},"finish_reason":...}]}} chunks up to
 * {@code data: [DONE]}, including the trailing {@code stream_options.include_usage} chunk (empty {@code choices},
 * a {@code usage} object) and an in-stream {@code {"error":{...}}} chunk (vLLM, OpenAI).
 * <p>
 * Tool calls stream as {@code delta.tool_calls[{index, id?, function:{name?, arguments?}}]}: the first fragment of a
 * call carries its id and name, later ones only an {@code arguments} piece for the same {@code index}, and several
 * calls may interleave. Fragments are joined per index; the calls are complete only at the end of the stream.
 */
final class OpenAiStreamDecoder implements StreamDecoder {

  private final String provider;
  private final StringBuilder text = new StringBuilder();
  private FinishReason finishReason = FinishReason.UNKNOWN;
  private TokenUsage usage = TokenUsage.NONE;
  private String model;
  private boolean finished;
  private final SortedMap<Integer, CallFragments> calls = new TreeMap<>();

  /** The pieces of one streamed tool call. */
  private static final class CallFragments {
    String id;
    String name;
    final StringBuilder arguments = new StringBuilder();
  }

  OpenAiStreamDecoder(String provider) {
    this.provider = provider;
  }

  @Override
  public void accept(SseEvent event, Handler<String> deltas) {
    if ("[DONE]".equals(event.data().strip())) {
      finished = true;
      return;
    }
    JsonObject chunk;
    try {
      chunk = new JsonObject(event.data());
    } catch (DecodeException e) {
      throw new UpstreamException(provider, 502, null, null, "malformed stream chunk: "
        + OpenAiWire.abbreviate(event.data()), null, e);
    }
    JsonObject error = chunk.getValue("error") instanceof JsonObject e ? e : null;
    if (error != null) {
      // vLLM puts the HTTP status it would have sent into code; otherwise treat it as a server error
      int status = error.getValue("code") instanceof Number n ? n.intValue() : 500;
      throw new UpstreamException(provider, status, error.getString("type"), OpenAiWire.stringOf(error.getValue("code")),
        error.getString("message", "(no message)"), null, null);
    }
    if (chunk.getString("model") != null) {
      model = chunk.getString("model");
    }
    if (chunk.getValue("usage") instanceof JsonObject u) {
      usage = OpenAiWire.usage(u);
    }
    JsonArray choices = chunk.getJsonArray("choices");
    if (choices == null || choices.isEmpty()) {
      return;
    }
    JsonObject choice = choices.getJsonObject(0);
    if (choice.getValue("delta") instanceof JsonObject delta && delta.getValue("content") instanceof String content) {
      text.append(content);
      deltas.handle(content);
    }
    if (choice.getValue("delta") instanceof JsonObject delta && delta.getValue("tool_calls") instanceof JsonArray parts) {
      for (int i = 0; i < parts.size(); i++) {
        toolCallFragment(parts.getJsonObject(i), i);
      }
    }
    if (choice.getValue("finish_reason") instanceof String reason) {
      finishReason = OpenAiWire.finishReason(reason);
    }
  }

  private void toolCallFragment(JsonObject part, int position) {
    int index = part.getValue("index") instanceof Number n ? n.intValue() : position;
    CallFragments call = calls.computeIfAbsent(index, i -> new CallFragments());
    if (part.getValue("id") instanceof String id && !id.isEmpty()) {
      call.id = id;
    }
    JsonObject function = part.getValue("function") instanceof JsonObject f ? f : new JsonObject();
    if (function.getValue("name") instanceof String name && !name.isEmpty()) {
      call.name = call.name == null ? name : call.name + name;
    }
    if (function.getValue("arguments") instanceof String arguments) {
      call.arguments.append(arguments);
    }
  }

  @Override
  public boolean finished() {
    return finished;
  }

  @Override
  public ChatResult result() {
    List<ToolCall> toolCalls = new ArrayList<>();
    calls.forEach((index, call) -> toolCalls.add(
      new ToolCall(call.id == null ? "call_" + index : call.id, call.name, call.arguments.toString())));
    return new ChatResult(text.toString(), finishReason, usage, model, provider, toolCalls);
  }
}
