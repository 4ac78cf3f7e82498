package io.ganglion.orchestration;

import io.ganglion.bus.ErrorCode;
import io.ganglion.generation.ChatMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A question for {@code ganglion.orchestrator.ask}, validated. The JSON shape:
 * <pre>
 * {"tenant", "kb", "question",
 *  "conversationId"?: uuid,            // continue a stored conversation (its history rewrites follow-ups)
 *  "history"?: [{"role","content"}],   // or: the earlier turns inline, nothing stored (the OpenAI-compatible API)
 *  "k"?: 1..100, "generator"?: "extractive" | provider name, "filter"?: {...},
 *  "sampling"?: {"maxTokens"?, "temperature"?, "stop"?}}  // see {@link Sampling}
 * </pre>
 * Without {@code conversationId} and {@code history}, a new conversation is started and its id returned.
 */
public record AskRequest(String tenant, String kb, String question, UUID conversationId, List<ChatMessage> history,
                         Integer k, String generator, JsonObject filter, Sampling sampling) {

  /**
   * Reads and validates the request.
   *
   * @throws io.vertx.core.eventbus.ReplyException 4000 for a missing or malformed field, 4130 for a question longer than
   *                                               {@code maxQuestionChars}
   */
  public static AskRequest fromJson(JsonObject json, int maxQuestionChars) {
    String tenant = string(json, "tenant", true);
    String kb = string(json, "kb", true);
    String question = string(json, "question", true).strip();
    if (question.length() > maxQuestionChars) {
      throw ErrorCode.PAYLOAD_TOO_LARGE.exception("'question' is longer than " + maxQuestionChars + " characters");
    }
    UUID conversation = null;
    String id = string(json, "conversationId", false);
    if (id != null) {
      try {
        conversation = UUID.fromString(id);
      } catch (IllegalArgumentException e) {
        throw ErrorCode.NOT_FOUND.exception("no conversation '" + id + "'");
      }
    }
    Object k = json.getValue("k");
    if (k != null && !(k instanceof Integer || k instanceof Long) || k != null && (((Number) k).intValue() < 1 || ((Number) k).intValue() > 100)) {
      throw ErrorCode.INVALID_REQUEST.exception("'k' must be a whole number between 1 and 100");
    }
    Object filter = json.getValue("filter");
    if (filter != null && !(filter instanceof JsonObject)) {
      throw ErrorCode.INVALID_REQUEST.exception("'filter' must be an object");
    }
    Object sampling = json.getValue("sampling");
    if (sampling != null && !(sampling instanceof JsonObject)) {
      throw ErrorCode.INVALID_REQUEST.exception("'sampling' must be an object");
    }
    return new AskRequest(tenant, kb, question, conversation, history(json), k == null ? null : ((Number) k).intValue(),
      string(json, "generator", false), (JsonObject) filter, Sampling.fromJson((JsonObject) sampling));
  }

  /** Whether the earlier turns came with the request (nothing is stored for the conversation then). */
  public boolean inlineHistory() {
    return !history.isEmpty();
  }

  private static List<ChatMessage> history(JsonObject json) {
    Object raw = json.getValue("history");
    if (raw == null) {
      return List.of();
    }
    if (!(raw instanceof JsonArray array)) {
      throw ErrorCode.INVALID_REQUEST.exception("'history' must be a list of {role, content}");
    }
    List<ChatMessage> turns = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof JsonObject turn) || !(turn.getValue("content") instanceof String content)
        || !("user".equals(turn.getValue("role")) || "assistant".equals(turn.getValue("role")))) {
        throw ErrorCode.INVALID_REQUEST.exception("'history' items must be {\"role\":\"user\"|\"assistant\",\"content\":string}");
      }
      turns.add(new ChatMessage(ChatMessage.Role.ofWireName(turn.getString("role")), content));
    }
    return List.copyOf(turns);
  }

  private static String string(JsonObject json, String field, boolean required) {
    Object value = json.getValue(field);
    if (value == null && !required) {
      return null;
    }
    if (!(value instanceof String s) || s.isBlank()) {
      throw ErrorCode.INVALID_REQUEST.exception("'" + field + "' " + (required ? "is required and " : "")
        + "must be a non-empty string");
    }
    return s;
  }
}
