package io.ganglion.orchestration.tools.mcp;

import io.ganglion.generation.ToolDefinition;
import io.ganglion.orchestration.tools.Tool;
import io.ganglion.orchestration.tools.ToolContext;
import io.ganglion.orchestration.tools.ToolResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * One tool of an MCP server, registered as {@code <server>__<tool>} (characters outside {@code [a-zA-Z0-9_-]} become
 * {@code _}; the server is called with the tool's own name). Calls go through the server's {@link McpConnection}.
 */
final class McpTool implements Tool {

  private final McpConnection server;
  private final String remoteName;
  private final ToolDefinition definition;

  McpTool(McpConnection server, String remoteName, ToolDefinition definition) {
    this.server = server;
    this.remoteName = remoteName;
    this.definition = definition;
  }

  @Override
  public ToolDefinition definition() {
    return definition;
  }

  @Override
  public String source() {
    return "mcp:" + server.name();
  }

  @Override
  public boolean visibleTo(String tenant) {
    return server.visibleTo(tenant);
  }

  @Override
  public String unavailable() {
    return server.unavailable();
  }

  @Override
  public Future<ToolResult> call(JsonObject arguments, ToolContext context) {
    return server.call(remoteName, arguments);
  }

  String remoteName() {
    return remoteName;
  }
}
