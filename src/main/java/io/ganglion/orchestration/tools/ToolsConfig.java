package io.ganglion.orchestration.tools;

import io.ganglion.config.ConfigException;
import io.ganglion.config.ConfigReader;
import io.ganglion.generation.ToolDefinition;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code tools} section: limits every tool call shares, the built-in {@code http_fetch} and {@code exec} tools,
 * and the operator's MCP servers. Validated once at start; every problem names its key.
 *
 * @param timeoutMs      deadline of one tool call (past it the model gets a timeout as the result)
 * @param maxResultChars longest result handed to the model; longer ones are cut, saying so
 * @param httpFetch      the {@code http_fetch} tool
 * @param exec           the sandboxed {@code exec} tool
 * @param mcp            MCP servers, in configuration order
 */
public record ToolsConfig(long timeoutMs, int maxResultChars, HttpFetch httpFetch, Exec exec, List<McpServer> mcp) {

  /**
   * @param allowHosts          host names {@code http_fetch} may GET ({@code *.example.com} for subdomains); empty:
   *                            it refuses every host
   * @param allowPrivateTargets whether loopback, private and link-local addresses may be reached (tests, intranets)
   */
  public record HttpFetch(List<String> allowHosts, boolean allowPrivateTargets, int maxBytes, long timeoutMs,
                          int maxRedirects) {
  }

  /**
   * @param enabled        off by default; on, it starts only if the sandbox works on this machine
   * @param programs       absolute paths of the only programs it runs (no shell)
   * @param bwrap          the bubblewrap binary
   * @param timeoutMs      wall-clock limit of one run (then it is killed)
   * @param cpuSeconds     CPU limit (RLIMIT_CPU)
   * @param memoryMb       address-space limit (RLIMIT_AS)
   * @param maxOutputBytes stdout and stderr kept, each
   */
  public record Exec(boolean enabled, List<String> programs, String bwrap, long timeoutMs, int cpuSeconds,
                     int memoryMb, int maxOutputBytes) {
  }

  /**
   * One MCP server: {@code command} for a stdio server the orchestrator starts, or {@code url} for a streamable-HTTP
   * one.
   *
   * @param tenants   the tenants whose runs may use its tools ({@code "*"}: every tenant)
   * @param timeoutMs deadline of one request to it
   */
  public record McpServer(String name, List<String> command, String url, List<String> tenants, long timeoutMs) {

    public boolean stdio() {
      return command != null && !command.isEmpty();
    }

    public boolean visibleTo(String tenant) {
      return tenants.contains("*") || tenants.contains(tenant);
    }
  }

  public static ToolsConfig from(JsonObject root) {
    ConfigReader r = new ConfigReader(root, "").child("tools");
    ConfigReader fetch = r.child("httpFetch");
    ConfigReader exec = r.child("exec");
    List<String> programs = exec.strings("programs");
    for (int i = 0; i < programs.size(); i++) {
      if (!Path.of(programs.get(i)).isAbsolute()) {
        throw new ConfigException("tools.exec.programs[" + i + "]", "must be an absolute path, got " + programs.get(i));
      }
    }
    return new ToolsConfig(
      r.longValue("timeoutMs", 30_000, 100, 600_000),
      r.integer("maxResultChars", 16_000, 256, 1_000_000),
      new HttpFetch(fetch.strings("allowHosts"), fetch.bool("allowPrivateTargets", false),
        fetch.integer("maxBytes", 262_144, 1024, 16 * 1024 * 1024),
        fetch.longValue("timeoutMs", 10_000, 100, 120_000),
        fetch.integer("maxRedirects", 5, 0, 20)),
      new Exec(exec.bool("enabled", false), programs, exec.string("bwrap", "/usr/bin/bwrap"),
        exec.longValue("timeoutMs", 5_000, 100, 600_000), exec.integer("cpuSeconds", 5, 1, 3600),
        exec.integer("memoryMb", 256, 16, 65_536), exec.integer("maxOutputBytes", 65_536, 1024, 16 * 1024 * 1024)),
      mcp(r.raw().getValue("mcp")));
  }

  private static List<McpServer> mcp(Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray list)) {
      throw new ConfigException("tools.mcp", "must be a list of {name, command: [...]} or {name, url}");
    }
    List<McpServer> servers = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String key = "tools.mcp[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject entry)) {
        throw new ConfigException(key, "must be an object {name, command | url, tenants}");
      }
      ConfigReader e = new ConfigReader(entry, key);
      String name = e.string("name", "");
      // tools join the registry as <server>__<tool>, which must stay a valid tool name
      if (!name.matches("[a-zA-Z0-9-]{1,30}")) {
        throw new ConfigException(key + ".name", "must be 1-30 letters, digits or '-', got '" + name + "'");
      }
      if (!names.add(name)) {
        throw new ConfigException(key + ".name", "duplicate MCP server name " + name);
      }
      List<String> command = entry.getValue("command") == null ? List.of() : e.strings("command");
      String url = e.string("url", null);
      if (command.isEmpty() == (url == null)) {
        throw new ConfigException(key, "needs exactly one of command (a stdio server) or url (streamable HTTP)");
      }
      if (url != null && !url.matches("https?://.+")) {
        throw new ConfigException(key + ".url", "must be an http or https URL, got " + url);
      }
      if (!entry.containsKey("tenants")) {
        throw new ConfigException(key + ".tenants", "is required: the tenants whose runs may use its tools, or [\"*\"]");
      }
      servers.add(new McpServer(name, command, url, e.strings("tenants"), e.longValue("timeoutMs", 30_000, 100, 600_000)));
    }
    return servers;
  }

  /** Whether {@code name} is a valid tool name ({@link ToolDefinition#NAME}). */
  public static boolean validName(String name) {
    return name != null && ToolDefinition.NAME.matcher(name).matches();
  }
}
