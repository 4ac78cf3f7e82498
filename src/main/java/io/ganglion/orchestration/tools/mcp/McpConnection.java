package io.ganglion.orchestration.tools.mcp;

import io.ganglion.generation.ToolDefinition;
import io.ganglion.orchestration.tools.Tool;
import io.ganglion.orchestration.tools.ToolRegistry;
import io.ganglion.orchestration.tools.ToolResult;
import io.ganglion.orchestration.tools.ToolsConfig;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One operator-configured MCP server, through the official SDK's {@link McpAsyncClient}: a stdio server started as a
 * process ({@code command}) or a streamable-HTTP server ({@code url}). Its tools join the {@link ToolRegistry} as
 * {@code <server>__<tool>}; a {@code notifications/tools/list_changed} from the server replaces them (the SDK
 * re-lists and hands over the new list). A server that dies — its process exits, or a health ping every
 * {@link #HEALTH_MS} fails — is marked unavailable (its tools answer so) and started again with exponential backoff
 * (0.5 s doubling to 30 s) until it answers.
 * <p>
 * <b>NOTE</b>: the SDK's own threads (Reactor schedulers) run the protocol; nothing here blocks an event loop. Call
 * results are handed back on the orchestrator's context. State shared with SDK threads is volatile and replaced
 * whole.
 */
public final class McpConnection {

  private static final Logger LOG = LoggerFactory.getLogger(McpConnection.class);

  static final long HEALTH_MS = 5_000;
  private static final long FIRST_BACKOFF_MS = 500;
  private static final long MAX_BACKOFF_MS = 30_000;

  private final Vertx vertx;
  private final Context context;
  private final ToolsConfig.McpServer config;
  private volatile McpAsyncClient client;
  private volatile List<Tool> tools = List.of();
  private volatile String unavailable = "starting";
  private volatile boolean closed;
  private volatile int generation;
  private long backoffMs = FIRST_BACKOFF_MS;
  private long healthTimer = -1;

  private McpConnection(Vertx vertx, ToolsConfig.McpServer config) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.config = config;
  }

  /**
   * Registers the server's tools with {@code registry} and starts connecting; the future completes after the first
   * attempt, whatever its outcome (a server that is down at start is retried in the background).
   */
  public static Future<McpConnection> start(Vertx vertx, ToolsConfig.McpServer config, ToolRegistry registry) {
    McpConnection connection = new McpConnection(vertx, config);
    registry.addSource(config.name(), () -> connection.tools);
    return connection.connect().otherwiseEmpty().map(v -> {
      connection.healthTimer = vertx.setPeriodic(HEALTH_MS, id -> connection.checkHealth());
      return connection;
    });
  }

  public String name() {
    return config.name();
  }

  boolean visibleTo(String tenant) {
    return config.visibleTo(tenant);
  }

  /** Why its tools cannot be called now, or {@code null}. */
  String unavailable() {
    return unavailable;
  }

  /** {@code {"name","transport","status":"up"|"unavailable","reason"?,"tools"}} for the orchestrator's status. */
  public JsonObject status() {
    JsonObject status = new JsonObject().put("name", config.name()).put("transport", config.stdio() ? "stdio" : "http")
      .put("status", unavailable == null ? "up" : "unavailable").put("tools", tools.size());
    return unavailable == null ? status : status.put("reason", unavailable);
  }

  Future<ToolResult> call(String tool, JsonObject arguments) {
    McpAsyncClient current = client;
    if (current == null || unavailable != null) {
      return Future.succeededFuture(ToolResult.error("the MCP server " + config.name() + " is unavailable: "
        + unavailable));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> args = (Map<String, Object>) Json.decodeValue(arguments.encode(), Map.class);
    return fromMono(current.callTool(new McpSchema.CallToolRequest(tool, args)))
      .map(McpConnection::result)
      .recover(failure -> {
        checkHealth();
        return Future.failedFuture(failure);
      });
  }

  /** Stops health checks and restarts and closes the client (a stdio server's process ends with it). */
  public Future<Void> close() {
    closed = true;
    if (healthTimer >= 0) {
      vertx.cancelTimer(healthTimer);
    }
    McpAsyncClient current = client;
    client = null;
    return current == null ? Future.succeededFuture()
      : fromMono(current.closeGracefully()).otherwiseEmpty().<Void>mapEmpty()
        .eventually(() -> {
          current.close();
          return Future.succeededFuture();
        });
  }

  private Future<Void> connect() {
    int attempt = ++generation;
    McpAsyncClient created;
    McpClientTransport transport;
    try {
      transport = transport();
      created = McpClient.async(transport)
        .clientInfo(new McpSchema.Implementation("ganglion", "0.1.0"))
        .requestTimeout(Duration.ofMillis(config.timeoutMs()))
        .initializationTimeout(Duration.ofMillis(config.timeoutMs()))
        .jsonSchemaValidator(new VertxJsonSchemaValidator())
        .toolsChangeConsumer(listed -> {
          if (generation == attempt) {
            replaceTools(listed, "list_changed");
          }
          return Mono.empty();
        })
        .build();
    } catch (RuntimeException e) {
      return failed(attempt, e);
    }
    client = created;
    return fromMono(created.initialize())
      .compose(initialized -> listAll(created, null, new ArrayList<>()))
      .compose(listed -> {
        if (closed || generation != attempt) {
          created.close();
          return Future.succeededFuture();
        }
        replaceTools(listed, "initialize");
        unavailable = null;
        backoffMs = FIRST_BACKOFF_MS;
        LOG.info("MCP server {} is up with {} tools", config.name(), tools.size());
        if (created.getServerInfo() != null) {
          LOG.debug("MCP server {} is {} {}", config.name(), created.getServerInfo().name(), created.getServerInfo().version());
        }
        if (transport instanceof StdioClientTransport stdio) {
          watchExit(stdio, attempt);
        }
        return Future.<Void>succeededFuture();
      })
      .recover(failure -> failed(attempt, failure));
  }

  private McpClientTransport transport() {
    McpJsonMapper mapper = McpJsonDefaults.getMapper();
    if (config.stdio()) {
      List<String> command = config.command();
      return new StdioClientTransport(ServerParameters.builder(command.getFirst())
        .args(command.subList(1, command.size())).build(), mapper);
    }
    URI uri = URI.create(config.url());
    String base = uri.getScheme() + "://" + uri.getRawAuthority();
    String endpoint = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/mcp" : uri.getRawPath();
    return HttpClientStreamableHttpTransport.builder(base).endpoint(endpoint).jsonMapper(mapper)
      .connectTimeout(Duration.ofMillis(config.timeoutMs())).build();
  }

  private Future<List<McpSchema.Tool>> listAll(McpAsyncClient on, String cursor, List<McpSchema.Tool> into) {
    Mono<McpSchema.ListToolsResult> page = cursor == null ? on.listTools() : on.listTools(cursor);
    return fromMono(page).compose(result -> {
      into.addAll(result.tools());
      String next = result.nextCursor();
      return next == null || next.isEmpty() || into.size() > 10_000 ? Future.succeededFuture(into)
        : listAll(on, next, into);
    });
  }

  /** A stdio server's process exit is seen at once (a thread waits for it), not at the next health ping. */
  private void watchExit(StdioClientTransport transport, int attempt) {
    // awaitForExit blocks until the process ends, so it waits on a virtual thread of its own
    Thread.ofVirtual().name("mcp-" + config.name() + "-exit").start(() -> {
      transport.awaitForExit();
      context.runOnContext(v -> {
        if (!closed && generation == attempt) {
          lost("its process exited");
        }
      });
    });
  }

  private void checkHealth() {
    McpAsyncClient current = client;
    if (closed || current == null || unavailable != null) {
      return;
    }
    int attempt = generation;
    fromMono(current.ping()).onFailure(failure -> {
      if (generation == attempt && unavailable == null) {
        lost("it did not answer a ping: " + failure.getMessage());
      }
    });
  }

  private void lost(String why) {
    unavailable = "restarting: " + why;
    LOG.warn("MCP server {} is down ({}); its tools are unavailable until it is back", config.name(), why);
    discardClient();
    scheduleRestart();
  }

  private Future<Void> failed(int attempt, Throwable failure) {
    if (closed || generation != attempt) {
      return Future.succeededFuture();
    }
    unavailable = "cannot connect: " + failure.getMessage();
    LOG.warn("MCP server {} cannot be reached: {} (next try in {} ms)", config.name(), failure.getMessage(), backoffMs);
    discardClient();
    scheduleRestart();
    return Future.failedFuture(failure);
  }

  /** Drops the current client; closing it (the SDK may wait on its process) happens on a worker. */
  private void discardClient() {
    McpAsyncClient dead = client;
    client = null;
    if (dead != null) {
      vertx.executeBlocking(() -> {
        dead.close();
        return null;
      }, false);
    }
  }

  private void scheduleRestart() {
    if (closed) {
      return;
    }
    long delay = backoffMs;
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    vertx.setTimer(delay, id -> {
      if (!closed && client == null) {
        connect();
      }
    });
  }

  private void replaceTools(List<McpSchema.Tool> listed, String why) {
    Map<String, Tool> next = new LinkedHashMap<>();
    for (McpSchema.Tool tool : listed) {
      String name = registryName(tool.name());
      if (next.containsKey(name)) {
        LOG.warn("MCP server {}: tool {} clashes with another as {}; skipped", config.name(), tool.name(), name);
        continue;
      }
      JsonObject schema = tool.inputSchema() == null ? new JsonObject().put("type", "object")
        : new JsonObject(Json.encode(tool.inputSchema()));
      next.put(name, new McpTool(this, tool.name(), new ToolDefinition(name, tool.description(), schema)));
    }
    tools = List.copyOf(next.values());
    LOG.debug("MCP server {} tools ({}): {}", config.name(), why, next.keySet());
  }

  /** {@code <server>__<tool>}, made a valid tool name. */
  String registryName(String remote) {
    String name = (config.name() + ToolRegistry.MCP_SEPARATOR + remote).replaceAll("[^a-zA-Z0-9_-]", "_");
    return name.length() <= 64 ? name : name.substring(0, 64);
  }

  private static ToolResult result(McpSchema.CallToolResult result) {
    List<String> parts = new ArrayList<>();
    for (McpSchema.Content content : result.content() == null ? List.<McpSchema.Content>of() : result.content()) {
      if (content instanceof McpSchema.TextContent text) {
        parts.add(text.text());
      } else {
        parts.add("(" + content.type() + " content, not shown)");
      }
    }
    if (result.structuredContent() != null && parts.isEmpty()) {
      parts.add(Json.encode(result.structuredContent()));
    }
    return new ToolResult(String.join("\n", parts), Boolean.TRUE.equals(result.isError()));
  }

  private <T> Future<T> fromMono(Mono<T> mono) {
    return Future.fromCompletionStage(mono.toFuture(), context);
  }

}
