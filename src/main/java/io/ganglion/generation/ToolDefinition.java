package io.ganglion.generation;

import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * A function the model may call: offered in a {@link ChatRequest}, sent upstream as an OpenAI {@code tools[]} entry
 * ({@code {"type":"function","function":{name,description,parameters}}}) or an Anthropic {@code tools[]} entry
 * ({@code {name,description,input_schema}}).
 *
 * @param name        {@code ^[a-zA-Z0-9_-]{1,64}$}, the rule both protocols share
 * @param description what it does, for the model
 * @param parameters  the JSON schema of its arguments (an object schema)
 */
public record ToolDefinition(String name, String description, JsonObject parameters) {

  /** The name rule both upstream protocols enforce. */
  public static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");

  public ToolDefinition {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("tool name must match " + NAME.pattern() + ", got '" + name + "'");
    }
    description = description == null ? "" : description;
    parameters = parameters == null ? new JsonObject().put("type", "object") : parameters;
  }

  /** {@code {"name","description","parameters"}}. */
  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("description", description).put("parameters", parameters.copy());
  }

  public static ToolDefinition fromJson(JsonObject json) {
    return new ToolDefinition(json.getString("name"), json.getString("description"), json.getJsonObject("parameters"));
  }
}
