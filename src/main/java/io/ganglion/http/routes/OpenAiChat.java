package io.ganglion.http.routes;

import io.ganglion.generation.ResponseFormat;
import io.ganglion.http.FieldFailure;
import io.ganglion.orchestration.Sampling;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * OpenAI chat-completions wire shapes: the request as the SDKs send it, and the {@code chat.completion} and
 * {@code chat.completion.chunk} objects they parse.
 *
 * @param question the last user message; {@code history} holds the turns before it (system messages are dropped: the
 *                 knowledge base's grounding prompt applies)
 */
record OpenAiChat(String model, String question, JsonArray history, boolean stream, boolean includeUsage,
                  JsonObject sampling) {

  /**
   * The request fields this server honours; any other field is refused with a 400 naming it, never dropped. {@code n}
   * must be 1; {@code temperature}, {@code max_tokens} / {@code max_completion_tokens} and {@code stop} go to the
   * generator (upstream providers receive them; the extractive generator is deterministic, honours {@code stop} and
   * cuts at the token limit with {@code finish_reason: length}); {@code seed} goes to OpenAI-compatible providers
   * (Anthropic's API has none; the extractive generator is deterministic), {@code user} and {@code top_p} to every
   * provider, and {@code response_format} asking for JSON only where an OpenAI-compatible provider answers (the
   * routes refuse it, naming the field, when the extractive generator or an Anthropic provider would).
   */
  static final Set<String> SUPPORTED = Set.of("model", "messages", "stream", "stream_options", "temperature",
    "max_tokens", "max_completion_tokens", "stop", "n", "seed", "user", "top_p", "response_format");

  static OpenAiChat parse(JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!SUPPORTED.contains(field)) {
        throw FieldFailure.invalid(field, "'" + field + "' is not supported by this server (supported: "
          + String.join(", ", new TreeSet<>(SUPPORTED)) + ")");
      }
    }
    if (!(body.getValue("model") instanceof String model) || model.isBlank()) {
      throw FieldFailure.invalid("model", "'model' is required");
    }
    if (!(body.getValue("messages") instanceof JsonArray messages) || messages.isEmpty()) {
      throw FieldFailure.invalid("messages", "'messages' must be a non-empty array");
    }
    JsonArray turns = new JsonArray();
    for (int i = 0; i < messages.size(); i++) {
      if (!(messages.getValue(i) instanceof JsonObject message) || !(message.getValue("role") instanceof String role)) {
        throw FieldFailure.invalid("messages[" + i + "].role", "each message needs a 'role'");
      }
      if (role.equals("user") || role.equals("assistant")) {
        turns.add(new JsonObject().put("role", role).put("content", text(message.getValue("content"), i)));
      } else if (!role.equals("system") && !role.equals("developer")) {
        throw FieldFailure.invalid("messages[" + i + "].role", "role '" + role + "' is not supported: use system, "
          + "developer, user or assistant");
      }
    }
    if (turns.isEmpty() || !"user".equals(turns.getJsonObject(turns.size() - 1).getString("role"))) {
      throw FieldFailure.invalid("messages", "the last message must come from the user");
    }
    String question = turns.getJsonObject(turns.size() - 1).getString("content");
    turns.remove(turns.size() - 1);
    Object stream = body.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      throw FieldFailure.invalid("stream", "'stream' must be a boolean");
    }
    Object n = body.getValue("n");
    if (n != null && !(n instanceof Number number && number.doubleValue() == 1)) {
      throw FieldFailure.invalid("n", "only n=1 is supported: one answer per request");
    }
    JsonObject options = body.getValue("stream_options") instanceof JsonObject o ? o : new JsonObject();
    return new OpenAiChat(model, question, turns, Boolean.TRUE.equals(stream),
      Boolean.TRUE.equals(options.getValue("include_usage")), sampling(body));
  }

  /**
   * {@code temperature}, {@code max_tokens} (or {@code max_completion_tokens}), {@code stop}, {@code seed},
   * {@code user}, {@code top_p} and {@code response_format} as an ask's sampling.
   */
  static JsonObject sampling(JsonObject body) {
    JsonObject sampling = new JsonObject();
    Object temperature = body.getValue("temperature");
    if (temperature != null) {
      if (!(temperature instanceof Number t) || t.doubleValue() < 0 || t.doubleValue() > 2) {
        throw FieldFailure.invalid("temperature", "'temperature' must be a number from 0 to 2");
      }
      sampling.put("temperature", t.doubleValue());
    }
    for (String field : new String[]{"max_completion_tokens", "max_tokens"}) {
      Object max = body.getValue(field);
      if (max != null) {
        if (!(max instanceof Integer || max instanceof Long) || ((Number) max).longValue() < 1
          || ((Number) max).longValue() > 1_000_000) {
          throw FieldFailure.invalid(field, "'" + field + "' must be a whole number from 1 to 1000000");
        }
        sampling.put("maxTokens", ((Number) max).intValue());
        break;
      }
    }
    Object stop = body.getValue("stop");
    if (stop instanceof String s) {
      stop = new JsonArray().add(s);
    }
    if (stop != null) {
      if (!(stop instanceof JsonArray array) || array.size() > 4
        || !array.stream().allMatch(item -> item instanceof String str && !str.isEmpty())) {
        throw FieldFailure.invalid("stop", "'stop' must be a string or a list of up to 4 non-empty strings");
      }
      sampling.put("stop", array);
    }
    Object seed = body.getValue("seed");
    if (seed != null) {
      if (!(seed instanceof Integer || seed instanceof Long)) {
        throw FieldFailure.invalid("seed", "'seed' must be a whole number");
      }
      sampling.put("seed", ((Number) seed).longValue());
    }
    Object user = body.getValue("user");
    if (user != null) {
      if (!(user instanceof String u) || u.isEmpty() || u.length() > Sampling.MAX_USER) {
        throw FieldFailure.invalid("user", "'user' must be a string of 1 to " + Sampling.MAX_USER + " characters");
      }
      sampling.put("user", u);
    }
    Object topP = body.getValue("top_p");
    if (topP != null) {
      if (!(topP instanceof Number p) || p.doubleValue() < 0 || p.doubleValue() > 1) {
        throw FieldFailure.invalid("top_p", "'top_p' must be a number from 0 to 1");
      }
      sampling.put("topP", p.doubleValue());
    }
    if (body.containsKey("response_format")) {
      try {
        JsonObject format = ResponseFormat.validated(body.getValue("response_format"));
        if (format != null) {
          sampling.put("responseFormat", format);
        }
      } catch (IllegalArgumentException e) {
        throw FieldFailure.invalid("response_format", e.getMessage());
      }
    }
    return sampling;
  }

  /** A string, or the text parts of a content array ({@code [{"type":"text","text":...}]}). */
  static String text(Object content, int index) {
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
    throw FieldFailure.invalid("messages[" + index + "].content", "message 'content' must be a string or an array of text parts");
  }

  /** The non-streamed {@code chat.completion} for an ask answer. */
  static JsonObject completion(String model, JsonObject answer) {
    return new JsonObject()
      .put("id", completionId(answer))
      .put("object", "chat.completion")
      .put("created", Instant.now().getEpochSecond())
      .put("model", model)
      .put("choices", new JsonArray().add(new JsonObject()
        .put("index", 0)
        .put("message", new JsonObject().put("role", "assistant").put("content", answer.getString("answer"))
          .putNull("refusal"))
        .putNull("logprobs")
        .put("finish_reason", answer.getString("finishReason", "stop"))))
      .put("usage", usage(answer))
      .putNull("system_fingerprint")
      .put("citations", answer.getJsonArray("citations"))
      .put("trace_id", answer.getString("traceId"))
      .put("generator", answer.getString("generator"))
      .put("abstained", answer.getBoolean("abstained"));
  }

  /** {@code chatcmpl-<trace id>}; an answer without a trace (a rule's) gets a fresh id. */
  static String completionId(JsonObject answer) {
    String trace = answer.getString("traceId");
    return "chatcmpl-" + (trace != null ? trace : UUID.randomUUID());
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
      return chunk(new JsonObject(), answer.getString("finishReason", "stop"))
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
