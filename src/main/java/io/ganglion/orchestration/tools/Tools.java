package io.ganglion.orchestration.tools;

import io.ganglion.orchestration.tools.builtin.ExecTool;
import io.ganglion.orchestration.tools.builtin.HttpFetchTool;
import io.ganglion.orchestration.tools.builtin.KbSearchTool;
import io.ganglion.orchestration.tools.mcp.McpConnection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The tools of this node, set up from {@code tools}: {@code kb_search}; {@code http_fetch} when it has an allowlist;
 * {@code exec} when enabled and the sandbox works here (else its reason is kept for the status, and logged); every
 * MCP server, connecting in the background.
 */
public final class Tools {

  private static final Logger LOG = LoggerFactory.getLogger(Tools.class);

  private final ToolRegistry registry;
  private final ToolExecutor executor;
  private final HttpClientAgent client;
  private final List<McpConnection> servers;
  private final String execUnavailable;

  private Tools(ToolRegistry registry, ToolExecutor executor, HttpClientAgent client, List<McpConnection> servers,
                String execUnavailable) {
    this.registry = registry;
    this.executor = executor;
    this.client = client;
    this.servers = servers;
    this.execUnavailable = execUnavailable;
  }

  public static Future<Tools> start(Vertx vertx, ToolsConfig config) {
    ToolRegistry registry = new ToolRegistry().add(new KbSearchTool(vertx));
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setMaxRedirects(0));
    if (!config.httpFetch().allowHosts().isEmpty()) {
      registry.add(new HttpFetchTool(vertx, client, config.httpFetch()));
    }
    Future<String> exec = !config.exec().enabled() ? Future.succeededFuture("off (tools.exec.enabled: false)")
      : ExecTool.create(vertx, config.exec()).map(tool -> {
        registry.add(tool);
        LOG.info("exec tool enabled for {}", config.exec().programs());
        return (String) null;
      }).recover(failure -> {
        LOG.error("tools.exec.enabled is true but the exec tool stays off: {}", failure.getMessage());
        return Future.succeededFuture("unavailable: " + failure.getMessage());
      });
    return exec.compose(execReason -> {
      List<Future<McpConnection>> started = config.mcp().stream()
        .map(server -> McpConnection.start(vertx, server, registry)).toList();
      return Future.all(started).map(v -> new Tools(registry, new ToolExecutor(registry, config), client,
        started.stream().map(Future::result).toList(), execReason));
    });
  }

  public ToolRegistry registry() {
    return registry;
  }

  public ToolExecutor executor() {
    return executor;
  }

  /** {@code {"exec":"enabled"|reason,"mcp":[{name,transport,status,reason?,tools}]}}. */
  public JsonObject status() {
    JsonArray mcp = new JsonArray();
    servers.forEach(s -> mcp.add(s.status()));
    return new JsonObject().put("exec", execUnavailable == null ? "enabled" : execUnavailable).put("mcp", mcp);
  }

  /** The tools a caller may use: those its tenant sees and its scopes allow. */
  public JsonObject list(String tenant, java.util.Set<String> scopes) {
    ToolContext caller = new ToolContext("list", tenant, scopes, List.of(), 1);
    List<Tool> usable = new ArrayList<>();
    for (Tool tool : registry.all(tenant)) {
      boolean allowed = tool.needsToolScope() ? caller.mayUse(tool.name()) : caller.has("kb:read");
      if (allowed) {
        usable.add(tool);
      }
    }
    return new JsonObject().put("tools", ToolRegistry.describe(usable));
  }

  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    servers.forEach(s -> closing.add(s.close()));
    closing.add(client.close());
    return Future.join(closing).mapEmpty();
  }
}
