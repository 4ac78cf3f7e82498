package io.ganglion.http.routes;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * OpenAI chat-completions wire shapes: the request as the SDKs send it, and the {@code chat.completion} and
 * {@code chat.completion.chunk} objects they parse.
 *
 * @param question the last user message; {@code history} holds the turns before it (system messages are dropped: the
 *                 knowledge base's grounding prompt applies)
 */
record OpenAiChat(String model, String question, JsonArray history, boolean stream, boolean includeUsage) {

  static OpenAiChat parse(JsonObject body) {
    if (!(body.getValue("model") instanceof String model) || model.isBlank()) {
      throw ErrorCode.INVALID_REQUEST.exception("'model' is required");
    }
    if (!(body.getValue("messages") instanceof JsonArray messages) || messages.isEmpty()) {
      throw ErrorCode.INVALID_REQUEST.exception("'messages' must be a non-empty array");
    }
    JsonArray turns = new JsonArray();
    for (Object item : messages) {
      if (!(item instanceof JsonObject message) || !(message.getValue("role") instanceof String role)) {
        throw ErrorCode.INVALID_REQUEST.exception("each message needs a 'role'");
      }
      if (role.equals("user") || role.equals("assistant")) {
        turns.add(new JsonObject().put("role", role).put("content", text(message.getValue("content"))));
      }
    }
    if (turns.isEmpty() || !"user".equals(turns.getJsonObject(turns.size() - 1).getString("role"))) {
      throw ErrorCode.INVALID_REQUEST.exception("the last message must come from the user");
    }
    String question = turns.getJsonObject(turns.size() - 1).getString("content");
    turns.remove(turns.size() - 1);
    Object stream = body.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      throw ErrorCode.INVALID_REQUEST.exception("'stream' must be a boolean");
    }
    JsonObject options = body.getValue("stream_options") instanceof JsonObject o ? o : new JsonObject();
    return new OpenAiChat(model, question, turns, Boolean.TRUE.equals(stream),
      Boolean.TRUE.equals(options.getValue("include_usage")));
  }

  /** A string, or the text parts of a content array ({@code [{"type":"text","text":...}]}). */
  static String text(Object content) {
    if (content instanceof String s) {
      return s;
    }
    if (content instanceof JsonArray parts) {
      StringBuilder out = new StringBuilder();
      for (Object part : parts) {
        if (part instanceof JsonObject p && "text".equals(p.getString("type")) && p.getValue("text") instanceof String t) {
          out.append(out.isEmpty() ? "" : "\n").append(t);
        }
      }
      return out.toString();
    }
    if (content == null) {
      return "";
    }
    throw ErrorCode.INVALID_REQUEST.exception("message 'content' must be a string or an array of text parts");
  }

  /** The non-streamed {@code chat.completion} for an ask answer. */
  static JsonObject completion(String model, JsonObject answer) {
    return new JsonObject()
      .put("id", "chatcmpl-" + answer.getString("traceId"))
      .put("object", "chat.completion")
      .put("created", Instant.now().getEpochSecond())
      .put("model", model)
      .put("choices", new JsonArray().add(new JsonObject()
        .put("index", 0)
        .put("message", new JsonObject().put("role", "assistant").put("content", answer.getString("answer"))
          .putNull("refusal"))
        .putNull("logprobs")
        .put("finish_reason", "stop")))
      .put("usage", usage(answer))
      .putNull("system_fingerprint")
      .put("citations", answer.getJsonArray("citations"))
      .put("trace_id", answer.getString("traceId"))
      .put("generator", answer.getString("generator"))
      .put("abstained", answer.getBoolean("abstained"));
  }

  static JsonObject usage(JsonObject answer) {
    if (answer.getValue("usage") instanceof JsonObject u && u.containsKey("prompt_tokens")) {
      return u.copy();
    }
    JsonObject u = answer.getJsonObject("usage", new JsonObject());
    int prompt = u.getInteger("promptTokens", 0);
    int completion = u.getInteger("completionTokens", 0);
    return new JsonObject().put("prompt_tokens", prompt).put("completion_tokens", completion)
      .put("total_tokens", prompt + completion);
  }

  /** The chunks of one streamed completion; all share its id, creation time and model. Event-loop confined. */
  static final class Chunks {

    private final String id;
    private final String model;
    private final long created;
    private final boolean includeUsage;
    private boolean started;

    Chunks(String id, String model, long created, boolean includeUsage) {
      this.id = id;
      this.model = model;
      this.created = created;
      this.includeUsage = includeUsage;
    }

    /** Whether the role chunk went out. */
    boolean started() {
      return started;
    }

    void markStarted() {
      started = true;
    }

    JsonObject role() {
      return chunk(new JsonObject().put("role", "assistant").put("content", ""), null);
    }

    JsonObject content(String text) {
      return chunk(new JsonObject().put("content", text), null);
    }

    /** A delta with the whole tool calls (OpenAI clients join fragments; one fragment per call is valid). */
    JsonObject toolCalls(JsonArray calls) {
      return chunk(new JsonObject().put("tool_calls", calls), null);
    }

    /** The last choice chunk with its finish reason, no extras. */
    JsonObject finish(String reason) {
      return chunk(new JsonObject(), reason);
    }

    /** The last choice chunk: empty delta, {@code finish_reason: stop}, and the citations. */
    JsonObject finish(JsonObject answer) {
      return chunk(new JsonObject(), "stop")
        .put("citations", answer.getJsonArray("citations"))
        .put("trace_id", answer.getString("traceId"));
    }

    /** The usage chunk: no choices. */
    JsonObject usage(JsonObject answer) {
      return base().put("choices", new JsonArray()).put("usage", OpenAiChat.usage(answer));
    }

    private JsonObject chunk(JsonObject delta, String finishReason) {
      JsonObject choice = new JsonObject().put("index", 0).put("delta", delta).putNull("logprobs")
        .put("finish_reason", finishReason);
      JsonObject chunk = base().put("choices", new JsonArray().add(choice));
      if (includeUsage) {
        chunk.putNull("usage");
      }
      return chunk;
    }

    private JsonObject base() {
      return new JsonObject().put("id", id).put("object", "chat.completion.chunk").put("created", created)
        .put("model", model).putNull("system_fingerprint");
    }
  }
}
