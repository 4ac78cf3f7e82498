package io.ganglion.generation;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * A call the model asked for, as it came over the wire (OpenAI {@code tool_calls[]}, Anthropic {@code tool_use}).
 *
 * @param id        the upstream's call id; tool results refer to it
 * @param name      the tool's name (the model may name one that does not exist)
 * @param arguments the arguments as the model wrote them: a JSON text that may be malformed or not an object
 */
public record ToolCall(String id, String name, String arguments) {

  public ToolCall {
    Objects.requireNonNull(id, "id");
    name = name == null ? "" : name;
    arguments = arguments == null || arguments.isBlank() ? "{}" : arguments;
  }

  /** The arguments as an object, or {@code null} when they are not a JSON object. */
  public JsonObject argumentsObject() {
    try {
      return new JsonObject(arguments);
    } catch (DecodeException | ClassCastException notAnObject) {
      return null;
    }
  }

  /** {@code {"id","name","arguments"}} (arguments as the JSON text). */
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("name", name).put("arguments", arguments);
  }

  public static ToolCall fromJson(JsonObject json) {
    return new ToolCall(json.getString("id"), json.getString("name"), json.getString("arguments"));
  }
}
