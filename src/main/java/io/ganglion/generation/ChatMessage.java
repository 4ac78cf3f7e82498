package io.ganglion.generation;

import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Objects;

/**
 * One turn of a conversation.
 *
 * @param role    who said it
 * @param content what was said, plain text
 */
public record ChatMessage(Role role, String content) {

  /** The speaker of a turn; {@link #wireName()} is the lower-case name both provider protocols use. */
  public enum Role {
    SYSTEM, USER, ASSISTANT;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The role for {@code system}, {@code user} or {@code assistant}. */
    public static Role ofWireName(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }
  }

  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }

  public static ChatMessage user(String content) {
    return new ChatMessage(Role.USER, content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage(Role.ASSISTANT, content);
  }

  /** {@code {"role":"user","content":"..."}}. */
  public JsonObject toJson() {
    return new JsonObject().put("role", role.wireName()).put("content", content);
  }

  /** Reads {@link #toJson()}'s shape; an unknown role is an {@link IllegalArgumentException}. */
  public static ChatMessage fromJson(JsonObject json) {
    return new ChatMessage(Role.ofWireName(json.getString("role", "")), json.getString("content", ""));
  }
}
