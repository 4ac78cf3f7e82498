package io.ganglion.orchestration.tools.mcp;

import io.ganglion.orchestration.tools.ArgumentSchema;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * The MCP SDK's schema validator hook (structured tool output against a tool's {@code outputSchema}) implemented with
 * vertx-json-schema, the one schema library the server uses, instead of the SDK's default validator.
 */
final class VertxJsonSchemaValidator implements JsonSchemaValidator {

  @Override
  public ValidationResponse validate(Map<String, Object> schema, Object structuredContent) {
    String problem;
    try {
      Object instance = Json.decodeValue(Json.encode(structuredContent));
      problem = ArgumentSchema.of(new JsonObject(Json.encode(schema))).check(instance);
    } catch (RuntimeException e) {
      return ValidationResponse.asInvalid("the output schema could not be applied: " + e.getMessage());
    }
    return problem == null ? ValidationResponse.asValid(Json.encode(structuredContent))
      : ValidationResponse.asInvalid(problem);
  }
}
