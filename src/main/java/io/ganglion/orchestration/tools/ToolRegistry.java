package io.ganglion.orchestration.tools;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Every tool a run may be offered: the built-ins, registered once at start, and each MCP server's tools, named
 * {@code <server>__<tool>} and replaced whenever the server's list changes. Agents name tools individually or take
 * every tool of a server with {@code <server>__*}.
 * <p>
 * <b>NOTE</b>: thread-safe; MCP sources replace their tools from SDK threads while runs read the registry on the
 * event loop. Each read sees one source's list as a whole.
 */
public final class ToolRegistry {

  /** Separates an MCP server's name from its tool's name. */
  public static final String MCP_SEPARATOR = "__";

  private final Map<String, Tool> builtIns = new LinkedHashMap<>();
  private final Map<String, Supplier<List<Tool>>> sources = new ConcurrentHashMap<>();
  private final Map<String, ArgumentSchema> schemas = new ConcurrentHashMap<>();

  /** Adds a built-in tool (at start, before any run). */
  public ToolRegistry add(Tool tool) {
    if (builtIns.putIfAbsent(tool.name(), tool) != null) {
      throw new IllegalStateException("two tools named " + tool.name());
    }
    return this;
  }

  /** Registers an MCP server whose current tools {@code tools} returns (an empty list while it is down). */
  public void addSource(String server, Supplier<List<Tool>> tools) {
    sources.put(server, tools);
  }

  /** The tool of that name, if any (built-in, or {@code <server>__<tool>} of a server that lists it now). */
  public Optional<Tool> find(String name) {
    Tool builtIn = builtIns.get(name);
    if (builtIn != null) {
      return Optional.of(builtIn);
    }
    int sep = name.indexOf(MCP_SEPARATOR);
    if (sep <= 0) {
      return Optional.empty();
    }
    Supplier<List<Tool>> source = sources.get(name.substring(0, sep));
    return source == null ? Optional.empty() : source.get().stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** Whether {@code server} is a configured MCP server. */
  public boolean hasServer(String server) {
    return sources.containsKey(server);
  }

  /** Whether {@code name} is a built-in tool. */
  public boolean isBuiltIn(String name) {
    return builtIns.containsKey(name);
  }

  /**
   * The tools an agent's list names, in its order: a name, or {@code <server>__*} for every tool the server lists
   * now. Names nothing is registered under are skipped (an MCP tool of a server that is down, a tool the operator
   * did not enable); the loop reports them to the model if it calls them anyway.
   */
  public List<Tool> resolve(List<String> names, String tenant) {
    Map<String, Tool> out = new LinkedHashMap<>();
    for (String name : names) {
      if (name.endsWith(MCP_SEPARATOR + "*")) {
        Supplier<List<Tool>> source = sources.get(name.substring(0, name.length() - 3));
        if (source != null) {
          source.get().forEach(t -> out.putIfAbsent(t.name(), t));
        }
      } else {
        find(name).ifPresent(t -> out.putIfAbsent(t.name(), t));
      }
    }
    return out.values().stream().filter(t -> t.visibleTo(tenant)).toList();
  }

  /** Every tool {@code tenant} may see, built-ins first, then each server's in configuration order. */
  public List<Tool> all(String tenant) {
    List<Tool> tools = new ArrayList<>(builtIns.values());
    sources.keySet().stream().sorted().forEach(server -> tools.addAll(sources.get(server).get()));
    return tools.stream().filter(t -> t.visibleTo(tenant)).toList();
  }

  /** The schema of {@code tool}'s arguments, compiled once per definition. */
  ArgumentSchema schema(Tool tool) {
    String key = tool.name() + "\u0000" + tool.definition().parameters().encode();
    return schemas.computeIfAbsent(key, k -> ArgumentSchema.of(tool.definition().parameters()));
  }

  /** {@code {"name","description","parameters","source","available"}}. */
  public static JsonObject describe(Tool tool) {
    return tool.definition().toJson().put("source", tool.source()).put("available", tool.unavailable() == null);
  }

  public static JsonArray describe(Collection<Tool> tools) {
    JsonArray out = new JsonArray();
    tools.forEach(t -> out.add(describe(t)));
    return out;
  }
}
