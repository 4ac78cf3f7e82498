package io.ganglion.orchestration.tools;

import io.vertx.core.json.JsonObject;

/**
 * What a tool call gives back to the model: a text (often JSON), and whether it reports a failure.
 *
 * @param text  what the model reads
 * @param error whether this is an error (a bad argument, a refused URL, an exception inside the tool)
 */
public record ToolResult(String text, boolean error) {

  public static ToolResult of(JsonObject json) {
    return new ToolResult(json.encode(), false);
  }

  public static ToolResult of(String text) {
    return new ToolResult(text, false);
  }

  public static ToolResult error(String message) {
    return new ToolResult(message, true);
  }
}
