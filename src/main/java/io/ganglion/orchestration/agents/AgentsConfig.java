package io.ganglion.orchestration.agents;

import io.ganglion.config.ConfigException;
import io.ganglion.config.ConfigReader;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How agent runs are run ({@code orchestration.runs}) and the operator's agents ({@code agents:}, each visible to the
 * tenants it names).
 *
 * @param maxSteps         {@code maxSteps} of an agent that sets none
 * @param maxSeconds       wall-time budget of a run whose agent sets none
 * @param maxInputChars    longest run input (over: 4130)
 * @param maxActive        runs in flight on this node at once (over: 5030 with Retry-After)
 * @param leaseMs          how long a node holds a running run between steps; after it another node takes it over
 * @param approvalTtlMs    how long the pending calls of a paused run are kept (then the approval expires)
 * @param agents           the configured agents, in order
 */
public record AgentsConfig(int maxSteps, long maxSeconds, int maxInputChars, int maxActive, long leaseMs,
                           long approvalTtlMs, List<ConfiguredAgent> agents) {

  /** An agent from configuration and the tenants that see it ({@code "*"}: all). */
  public record ConfiguredAgent(AgentSpec spec, List<String> tenants) {

    public boolean visibleTo(String tenant) {
      return tenants.contains("*") || tenants.contains(tenant);
    }
  }

  public static AgentsConfig from(JsonObject root) {
    ConfigReader r = new ConfigReader(root, "").child("orchestration").child("runs");
    int maxSteps = r.integer("maxSteps", 8, 1, AgentSpec.MAX_STEPS_LIMIT);
    return new AgentsConfig(maxSteps,
      r.longValue("maxSeconds", 300, 1, 86_400),
      r.integer("maxInputChars", 32_000, 16, 10_000_000),
      r.integer("maxActive", 256, 1, 100_000),
      r.longValue("leaseMs", 30_000, 1_000, 3_600_000),
      r.longValue("approvalTtlSeconds", 86_400, 1, 30L * 86_400) * 1000,
      agents(root == null ? null : root.getValue("agents"), maxSteps));
  }

  private static List<ConfiguredAgent> agents(Object value, int maxSteps) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray list)) {
      throw new ConfigException("agents", "must be a list of agents");
    }
    List<ConfiguredAgent> agents = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String key = "agents[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject entry)) {
        throw new ConfigException(key, "must be an agent object");
      }
      AgentSpec spec;
      try {
        spec = AgentSpec.fromJson(entry, maxSteps);
      } catch (ReplyException e) {
        throw new ConfigException(key, e.getMessage());
      }
      if (!names.add(spec.name())) {
        throw new ConfigException(key + ".name", "duplicate agent name " + spec.name());
      }
      if (!entry.containsKey("tenants")) {
        throw new ConfigException(key + ".tenants", "is required: the tenants that may run it, or [\"*\"]");
      }
      agents.add(new ConfiguredAgent(spec, new ConfigReader(entry, key).strings("tenants")));
    }
    return agents;
  }
}
