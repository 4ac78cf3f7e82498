package io.ganglion.orchestration.tools;

import io.ganglion.generation.ToolDefinition;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * A tool in the registry: its definition (what the model is offered), where it comes from, who may use it, and the
 * call itself. {@link ToolExecutor} validates the arguments against {@link ToolDefinition#parameters()} before
 * {@link #call} runs, and turns every failure into a result the model reads.
 * <p>
 * <b>NOTE</b>: {@link #call} is invoked on the orchestrator's event loop and must not block it; blocking work (a
 * process, a synchronous SDK) runs on a worker and completes the future there or back on the loop.
 */
public interface Tool {

  ToolDefinition definition();

  default String name() {
    return definition().name();
  }

  /** {@code builtin} or {@code mcp:<server>}. */
  String source();

  /**
   * Whether calling it needs the scope {@code tools:<name>} (or {@code tools:*}) on the run's credential: true for
   * everything that reaches outside the tenant's own data (http_fetch, exec, every MCP tool).
   */
  default boolean needsToolScope() {
    return true;
  }

  /** Whether {@code tenant}'s runs may see and use it (operator MCP servers name their tenants). */
  default boolean visibleTo(String tenant) {
    return true;
  }

  /** Why it cannot be called right now (its MCP server is restarting), or {@code null} when it can. */
  default String unavailable() {
    return null;
  }

  /**
   * Runs the tool with validated arguments.
   *
   * @return the result the model reads; a failed future is reported to the model as the tool's error
   */
  Future<ToolResult> call(JsonObject arguments, ToolContext context);
}
