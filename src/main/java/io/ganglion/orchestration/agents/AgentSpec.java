package io.ganglion.orchestration.agents;

import io.ganglion.bus.ErrorCode;
import io.ganglion.orchestration.tools.ToolRegistry;
import io.ganglion.orchestration.tools.ToolsConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An agent: instructions, a provider, tools, knowledge bases, sub-agents and limits. The JSON contract of
 * {@code POST /v1/agents} and of the {@code agents:} configuration:
 * <pre>{@code
 * {"name","description","instructions","kind"?:"react"|"router"|"planner","provider"?,"tools":[names or "<server>__*"],
 *  "kbs"?:[...],"agents"?:[sub-agent names],"judge"?:bool,"maxSteps"?,"budget"?:{"tokens"?,"seconds"?,"costUsd"?},
 *  "approval"?:[tool names]}
 * }</pre>
 *
 * @param kind     {@code react} runs the tool loop; {@code router} hands the input to one of {@code agents};
 *                 {@code planner} splits the task into steps for {@code agents}
 * @param provider the {@code llm.providers} entry it talks to, or {@code null} for {@code llm.default}
 * @param maxSteps model calls a run may make, at most
 * @param budget   per-run limits; {@code 0} means none
 * @param approval tools whose calls wait for {@code POST /v1/runs/{id}/approve}
 */
public record AgentSpec(String name, String description, String instructions, Kind kind, String provider,
                        List<String> tools, List<String> kbs, List<String> agents, boolean judge, int maxSteps,
                        Budget budget, List<String> approval) {

  /** What kind of loop a run of the agent is. */
  public enum Kind {
    REACT, ROUTER, PLANNER;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * @param tokens  prompt plus completion tokens of the whole run
   * @param seconds wall time of the run
   * @param costUsd cost of the run's model calls, from the provider's price
   */
  public record Budget(long tokens, long seconds, double costUsd) {

    public static final Budget NONE = new Budget(0, 0, 0);

    public JsonObject toJson() {
      JsonObject json = new JsonObject();
      if (tokens > 0) {
        json.put("tokens", tokens);
      }
      if (seconds > 0) {
        json.put("seconds", seconds);
      }
      if (costUsd > 0) {
        json.put("costUsd", costUsd);
      }
      return json;
    }
  }

  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  public static final int MAX_STEPS_LIMIT = 100;
  private static final Set<String> FIELDS = Set.of("name", "description", "instructions", "kind", "provider", "tools",
    "kbs", "agents", "judge", "maxSteps", "budget", "approval", "tenants");

  public AgentSpec {
    tools = List.copyOf(tools);
    kbs = List.copyOf(kbs);
    agents = List.copyOf(agents);
    approval = List.copyOf(approval);
  }

  /**
   * Reads and validates an agent.
   *
   * @param defaultMaxSteps {@code maxSteps} when the JSON gives none
   * @throws io.vertx.core.eventbus.ReplyException 4000 naming the field that is wrong
   */
  public static AgentSpec fromJson(JsonObject json, int defaultMaxSteps) {
    for (String field : json.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw invalid("unknown field '" + field + "'; an agent has " + FIELDS.stream().filter(f -> !f.equals("tenants"))
          .sorted().toList());
      }
    }
    String name = string(json, "name", true);
    if (!NAME.matcher(name).matches()) {
      throw invalid("'name' must match " + NAME.pattern() + ", got '" + name + "'");
    }
    String description = string(json, "description", false);
    String instructions = string(json, "instructions", false);
    if (instructions.length() > 100_000 || description.length() > 10_000) {
      throw invalid("'instructions' (100000) or 'description' (10000) is too long");
    }
    Kind kind = kind(json.getValue("kind"));
    Object provider = json.getValue("provider");
    if (provider != null && (!(provider instanceof String p) || p.isBlank())) {
      throw invalid("'provider' must name a configured LLM provider");
    }
    List<String> tools = names(json, "tools");
    for (String tool : tools) {
      boolean wildcard = tool.endsWith(ToolRegistry.MCP_SEPARATOR + "*") && tool.length() > 3;
      if (!wildcard && !ToolsConfig.validName(tool)) {
        throw invalid("'tools' entry '" + tool + "' is not a tool name (^[a-zA-Z0-9_-]{1,64}$) or <server>__*");
      }
    }
    List<String> kbs = names(json, "kbs");
    List<String> agents = names(json, "agents");
    if (kind != Kind.REACT && agents.isEmpty()) {
      throw invalid("a " + kind.wireName() + " agent needs 'agents': the agents it hands work to");
    }
    if (agents.contains(name)) {
      throw invalid("an agent cannot list itself in 'agents'");
    }
    Object judge = json.getValue("judge");
    if (judge != null && !(judge instanceof Boolean)) {
      throw invalid("'judge' must be true or false");
    }
    int maxSteps = json.containsKey("maxSteps") ? (int) integer(json.getValue("maxSteps"), "maxSteps", 1, MAX_STEPS_LIMIT)
      : defaultMaxSteps;
    Budget budget = budget(json.getValue("budget"));
    List<String> approval = names(json, "approval");
    for (String tool : approval) {
      boolean offered = tools.contains(tool) || tools.stream().anyMatch(t -> t.endsWith(ToolRegistry.MCP_SEPARATOR + "*")
        && tool.startsWith(t.substring(0, t.length() - 1)));
      if (!offered) {
        throw invalid("'approval' names '" + tool + "', which is not among the agent's tools");
      }
    }
    return new AgentSpec(name, description, instructions, kind, provider == null ? null : ((String) provider).strip(),
      tools, kbs, agents, Boolean.TRUE.equals(judge), maxSteps, budget, approval);
  }

  /** The JSON shape {@link #fromJson} reads. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("name", name).put("description", description)
      .put("instructions", instructions).put("kind", kind.wireName()).put("provider", provider)
      .put("tools", new JsonArray(tools)).put("kbs", new JsonArray(kbs)).put("agents", new JsonArray(agents))
      .put("judge", judge).put("maxSteps", maxSteps).put("budget", budget.toJson())
      .put("approval", new JsonArray(approval));
    if (provider == null) {
      json.remove("provider");
    }
    return json;
  }

  /** Whether a call of {@code tool} waits for approval. */
  public boolean needsApproval(String tool) {
    return approval.contains(tool);
  }

  private static Kind kind(Object value) {
    if (value == null) {
      return Kind.REACT;
    }
    for (Kind k : Kind.values()) {
      if (k.wireName().equals(value)) {
        return k;
      }
    }
    throw invalid("'kind' must be react, router or planner, got '" + value + "'");
  }

  private static Budget budget(Object value) {
    if (value == null) {
      return Budget.NONE;
    }
    if (!(value instanceof JsonObject b)) {
      throw invalid("'budget' must be an object {tokens?, seconds?, costUsd?}");
    }
    for (String field : b.fieldNames()) {
      if (!Set.of("tokens", "seconds", "costUsd").contains(field)) {
        throw invalid("'budget' has an unknown field '" + field + "'");
      }
    }
    long tokens = b.containsKey("tokens") ? integer(b.getValue("tokens"), "budget.tokens", 1, 100_000_000) : 0;
    long seconds = b.containsKey("seconds") ? integer(b.getValue("seconds"), "budget.seconds", 1, 86_400) : 0;
    double cost = 0;
    if (b.containsKey("costUsd")) {
      if (!(b.getValue("costUsd") instanceof Number n) || !(n.doubleValue() > 0) || n.doubleValue() > 1_000_000) {
        throw invalid("'budget.costUsd' must be a positive number of dollars");
      }
      cost = n.doubleValue();
    }
    return new Budget(tokens, seconds, cost);
  }

  private static String string(JsonObject json, String field, boolean required) {
    Object value = json.getValue(field);
    if (value == null && !required) {
      return "";
    }
    if (!(value instanceof String s) || (required && s.isBlank())) {
      throw invalid("'" + field + "' " + (required ? "is required and " : "") + "must be a string");
    }
    return s;
  }

  private static List<String> names(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array) || array.size() > 256) {
      throw invalid("'" + field + "' must be a list of names (at most 256)");
    }
    List<String> names = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof String s) || s.isBlank()) {
        throw invalid("'" + field + "' must hold non-empty strings");
      }
      if (!names.contains(s)) {
        names.add(s);
      }
    }
    return names;
  }

  private static long integer(Object value, String field, long min, long max) {
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
      || n.longValue() < min || n.longValue() > max) {
      throw invalid("'" + field + "' must be a whole number from " + min + " to " + max + ", got " + value);
    }
    return n.longValue();
  }

  private static RuntimeException invalid(String message) {
    return ErrorCode.INVALID_REQUEST.exception(message);
  }
}
