package io.ganglion.orchestration.tools;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaException;
import io.vertx.json.schema.Validator;

import java.util.ArrayList;
import java.util.List;

/**
 * A tool's argument schema, compiled once (vertx-json-schema, draft 2020-12 unless the schema declares another
 * {@code $schema}). {@link #check} says what is wrong with a set of arguments in words a model can act on:
 * {@code "/city: the property is required"}.
 * <p>
 * <b>NOTE</b>: immutable and thread-safe; validation is pure computation (microseconds for a tool's arguments).
 */
public final class ArgumentSchema {

  private static final int MAX_REPORTED = 5;

  private final Validator validator;

  private ArgumentSchema(Validator validator) {
    this.validator = validator;
  }

  /**
   * @throws IllegalArgumentException when {@code schema} is not a usable JSON schema
   */
  public static ArgumentSchema of(JsonObject schema) {
    Draft draft = Draft.DRAFT202012;
    if (schema.getValue("$schema") instanceof String declared) {
      try {
        draft = Draft.fromIdentifier(declared);
      } catch (IllegalArgumentException unknown) {
        // an unknown dialect: validate as 2020-12, the MCP default
      }
    }
    try {
      return new ArgumentSchema(Validator.create(JsonSchema.of(schema.copy()), new JsonSchemaOptions()
        .setDraft(draft).setBaseUri("urn:ganglion:tool").setOutputFormat(OutputFormat.Basic)));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a valid JSON schema: " + e.getMessage(), e);
    }
  }

  /** {@code null} when {@code arguments} match, else what is wrong (at most five problems, by location). */
  public String check(Object arguments) {
    OutputUnit result;
    try {
      result = validator.validate(arguments);
    } catch (SchemaException e) {
      return "the tool's schema could not be applied: " + e.getMessage();
    }
    if (Boolean.TRUE.equals(result.getValid())) {
      return null;
    }
    List<String> problems = new ArrayList<>();
    collect(result, problems);
    if (problems.isEmpty()) {
      problems.add(result.getError() == null ? "the arguments do not match the schema" : result.getError());
    }
    int total = problems.size();
    List<String> shown = problems.subList(0, Math.min(MAX_REPORTED, total));
    return String.join("; ", shown) + (total > MAX_REPORTED ? "; and " + (total - MAX_REPORTED) + " more" : "");
  }

  private static void collect(OutputUnit unit, List<String> into) {
    if (unit.getErrors() != null && !unit.getErrors().isEmpty()) {
      unit.getErrors().forEach(e -> collect(e, into));
      return;
    }
    if (unit.getError() != null) {
      String where = unit.getInstanceLocation() == null || unit.getInstanceLocation().isEmpty()
        ? "/" : unit.getInstanceLocation().replaceFirst("^#", "");
      String line = (where.isEmpty() ? "/" : where) + ": " + unit.getError();
      if (!into.contains(line)) {
        into.add(line);
      }
    }
  }
}
