package io.ganglion.orchestration.agents;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;

/**
 * A real MCP server built with the SDK's server side, for the agent tests: over stdio ({@link #main}, launched as a
 * process by {@link #stdioCommand}) or streamable HTTP ({@link #http}, the SDK's servlet transport in an embedded
 * Tomcat). Tools: {@code echo {text}}; {@code add {a,b}}; {@code pid} (this process's id, so a test can kill it);
 * {@code grow}, which adds the tool {@code late} and sends {@code notifications/tools/list_changed}; {@code hang},
 * which writes a line to the file named by the {@code MCP_CALLS} environment variable and never answers; and
 * {@code note {text}}, which appends its text to the same file and answers {@code noted}; {@code fail}, which throws.
 */
public final class TestMcpServer {

  private TestMcpServer() {
  }

  /** {@code java -cp <test classpath> ...TestMcpServer}: serves MCP on stdin/stdout until stdin closes. */
  public static void main(String[] args) throws Exception {
    McpJsonMapper mapper = McpJsonDefaults.getMapper();
    CountDownLatch closed = new CountDownLatch(1);
    McpSyncServer[] server = new McpSyncServer[1];
    server[0] = tools(McpServer.sync(new StdioServerTransportProvider(mapper)), mapper, () -> server[0]).build();
    closed.await();
  }

  /** The command that starts this server over stdio, with the test JVM's java and classpath. */
  public static List<String> stdioCommand(Path callsFile) {
    String java = ProcessHandle.current().info().command().orElse("java");
    URLs.ensureLogConfig();
    return List.of("/usr/bin/env", "MCP_CALLS=" + callsFile, java, "-Dlogback.configurationFile=" + URLs.logConfig(),
      "-cp", System.getProperty("java.class.path"), TestMcpServer.class.getName());
  }

  /** A streamable-HTTP server on a random local port; {@link Http#url()} is its endpoint. */
  public static Http http() throws Exception {
    McpJsonMapper mapper = McpJsonDefaults.getMapper();
    HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
      .jsonMapper(mapper).mcpEndpoint("/mcp").build();
    McpSyncServer[] server = new McpSyncServer[1];
    server[0] = tools(McpServer.sync(transport), mapper, () -> server[0]).build();
    Tomcat tomcat = new Tomcat();
    tomcat.setPort(0);
    Path base = Files.createTempDirectory(Path.of("target"), "tomcat-").toAbsolutePath();
    tomcat.setBaseDir(base.toString());
    Context context = tomcat.addContext("", base.toString());
    org.apache.catalina.Wrapper wrapper = context.createWrapper();
    wrapper.setName("mcp");
    wrapper.setServlet(transport);
    wrapper.setAsyncSupported(true);
    wrapper.setLoadOnStartup(1);
    context.addChild(wrapper);
    context.addServletMappingDecoded("/*", "mcp");
    tomcat.getConnector();
    tomcat.start();
    int port = tomcat.getConnector().getLocalPort();
    return new Http(tomcat, server[0], "http://127.0.0.1:" + port + "/mcp");
  }

  /** A running HTTP server. */
  public record Http(Tomcat tomcat, McpSyncServer server, String url) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      server.closeGracefully();
      tomcat.stop();
      tomcat.destroy();
    }
  }

  private static <S extends McpServer.SyncSpecification<S>> McpServer.SyncSpecification<S> tools(
    McpServer.SyncSpecification<S> spec, McpJsonMapper mapper, java.util.function.Supplier<McpSyncServer> self) {
    return spec.serverInfo("ganglion-test-server", "1.0.0")
      .jsonSchemaValidator(new PermissiveValidator())
      .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
      .tools(
        tool(mapper, "echo", "Echoes its text", "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}",
          (exchange, request) -> text(String.valueOf(request.arguments().get("text")))),
        tool(mapper, "add", "Adds two numbers", "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"number\"}},\"required\":[\"a\",\"b\"]}",
          (exchange, request) -> text(String.valueOf(((Number) request.arguments().get("a")).doubleValue()
            + ((Number) request.arguments().get("b")).doubleValue()))),
        tool(mapper, "pid", "This server's process id", "{\"type\":\"object\"}",
          (exchange, request) -> text(Long.toString(ProcessHandle.current().pid()))),
        tool(mapper, "grow", "Adds a tool", "{\"type\":\"object\"}", (exchange, request) -> {
          self.get().addTool(tool(mapper, "late", "A tool added later", "{\"type\":\"object\"}",
            (e, r) -> text("late tool answered")));
          self.get().notifyToolsListChanged();
          return text("grown");
        }),
        tool(mapper, "hang", "Never answers", "{\"type\":\"object\"}", (exchange, request) -> {
          record("hang");
          try {
            Thread.sleep(Long.MAX_VALUE);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return text("woke");
        }),
        tool(mapper, "fail", "Always throws", "{\"type\":\"object\"}", (exchange, request) -> {
          throw new IllegalStateException("the tool broke on purpose");
        }),
        tool(mapper, "note", "Writes a note", "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}",
          (exchange, request) -> {
            record("note " + request.arguments().get("text"));
            return text("noted");
          }));
  }

  private static void record(String line) {
    String file = System.getenv("MCP_CALLS");
    if (file == null) {
      return;
    }
    try {
      Files.writeString(Path.of(file), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static McpServerFeatures.SyncToolSpecification tool(McpJsonMapper mapper, String name, String description,
    String schema, BiFunction<io.modelcontextprotocol.server.McpSyncServerExchange, McpSchema.CallToolRequest, McpSchema.CallToolResult> handler) {
    return McpServerFeatures.SyncToolSpecification.builder()
      .tool(McpSchema.Tool.builder().name(name).description(description).inputSchema(mapper, schema).build())
      .callHandler(handler).build();
  }

  private static McpSchema.CallToolResult text(String text) {
    return McpSchema.CallToolResult.builder().content(List.of(new McpSchema.TextContent(text))).isError(false).build();
  }

  /** The client validates arguments (vertx-json-schema); this server trusts them. */
  private static final class PermissiveValidator implements JsonSchemaValidator {
    @Override
    public ValidationResponse validate(Map<String, Object> schema, Object structuredContent) {
      return ValidationResponse.asValid(null);
    }
  }

  /** Where the server's log configuration is (stderr only: stdout is the protocol). */
  static final class URLs {
    private static Path config;

    static synchronized void ensureLogConfig() {
      if (config != null) {
        return;
      }
      try (var in = TestMcpServer.class.getClassLoader().getResourceAsStream("mcp-server-logback.xml")) {
        config = Files.createTempFile(Path.of("target"), "mcp-logback-", ".xml");
        Files.write(config, in.readAllBytes());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    static Path logConfig() {
      return config.toAbsolutePath();
    }
  }
}
