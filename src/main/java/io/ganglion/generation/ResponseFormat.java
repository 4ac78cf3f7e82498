package io.ganglion.generation;

import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * OpenAI's {@code response_format}: {@code {"type":"text"}}, {@code {"type":"json_object"}} or
 * {@code {"type":"json_schema","json_schema":{"name","schema"?,"strict"?,"description"?}}}. The structured two need a
 * provider that takes the field as it is (OpenAI-compatible ones, {@link ChatProvider#supportsResponseFormat()});
 * {@code text} asks for what every generator produces anyway.
 */
public final class ResponseFormat {

  private static final Set<String> TYPES = Set.of("text", "json_object", "json_schema");

  private ResponseFormat() {
  }

  /**
   * {@code raw} checked as a response format (a copy), or null for null.
   *
   * @throws IllegalArgumentException naming what is wrong, for the caller to answer 400 with
   */
  public static JsonObject validated(Object raw) {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonObject format) || !(format.getValue("type") instanceof String type) || !TYPES.contains(type)) {
      throw new IllegalArgumentException("'response_format' must be {\"type\":\"text\"}, {\"type\":\"json_object\"} or "
        + "{\"type\":\"json_schema\",\"json_schema\":{\"name\",\"schema\"}}");
    }
    if (type.equals("json_schema")) {
      if (!(format.getValue("json_schema") instanceof JsonObject schema) || !(schema.getValue("name") instanceof String name)
        || name.isBlank() || (schema.containsKey("schema") && !(schema.getValue("schema") instanceof JsonObject))
        || (schema.containsKey("strict") && !(schema.getValue("strict") instanceof Boolean))) {
        throw new IllegalArgumentException("'response_format.json_schema' must be {\"name\":string, \"schema\"?:object, "
          + "\"strict\"?:boolean, \"description\"?:string}");
      }
    }
    return format.copy();
  }

  /** Whether {@code format} asks for JSON (which only some providers can honour). */
  public static boolean structured(JsonObject format) {
    return format != null && !"text".equals(format.getString("type"));
  }
}
