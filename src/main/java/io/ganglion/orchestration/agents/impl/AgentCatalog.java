package io.ganglion.orchestration.agents.impl;

import io.ganglion.bus.ErrorCode;
import io.ganglion.orchestration.agents.AgentSpec;
import io.ganglion.orchestration.agents.AgentsConfig;
import io.ganglion.orchestration.tools.ToolRegistry;
import io.ganglion.store.AgentRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agents a tenant can run: its own (PostgreSQL, {@code POST /v1/agents}) and the operator's ({@code agents:}
 * naming the tenant); a tenant's agent of the same name wins. Another tenant's agents do not exist for it (4040).
 */
public final class AgentCatalog {

  /** An agent and where it is defined: {@code tenant} or {@code config}. */
  public record Found(AgentSpec spec, String source, JsonObject stored) {

    public JsonObject toJson() {
      JsonObject json = spec.toJson().put("source", source);
      if (stored != null) {
        json.put("createdAt", stored.getString("createdAt")).put("updatedAt", stored.getString("updatedAt"));
      }
      return json;
    }
  }

  private final AgentRepository repository;
  private final AgentsConfig config;
  private final ToolRegistry registry;

  public AgentCatalog(AgentRepository repository, AgentsConfig config, ToolRegistry registry) {
    this.repository = repository;
    this.config = config;
    this.registry = registry;
  }

  public Future<Found> find(String tenant, String name) {
    return repository.get(tenant, name).compose(stored -> {
      if (stored.isPresent()) {
        return Future.succeededFuture(new Found(AgentSpec.fromJson(stored.get().spec(), config.maxSteps()), "tenant",
          dates(stored.get())));
      }
      return config.agents().stream().filter(a -> a.spec().name().equals(name) && a.visibleTo(tenant)).findFirst()
        .map(a -> Future.succeededFuture(new Found(a.spec(), "config", null)))
        .orElseGet(() -> Future.failedFuture(ErrorCode.NOT_FOUND.exception("no agent '" + name + "'")));
    });
  }

  /** Validates a spec for storing: its tools must exist (a built-in or a configured MCP server's). */
  public AgentSpec validate(JsonObject json) {
    if (json.containsKey("tenants")) {
      throw ErrorCode.INVALID_REQUEST.exception("unknown field 'tenants': an agent belongs to the tenant that creates it");
    }
    AgentSpec spec = AgentSpec.fromJson(json, config.maxSteps());
    for (String tool : spec.tools()) {
      int sep = tool.indexOf(ToolRegistry.MCP_SEPARATOR);
      boolean known = registry.isBuiltIn(tool) || (sep > 0 && registry.hasServer(tool.substring(0, sep)));
      if (!known) {
        throw ErrorCode.INVALID_REQUEST.exception("'tools' names '" + tool + "', which is neither an enabled built-in "
          + "tool nor a tool of a configured MCP server");
      }
    }
    return spec;
  }

  public Future<JsonObject> create(String tenant, JsonObject json) {
    AgentSpec spec = validate(json);
    return repository.create(tenant, spec.name(), spec.toJson())
      .map(stored -> new Found(spec, "tenant", dates(stored)).toJson())
      .recover(failure -> Future.failedFuture(failure instanceof AgentRepository.DuplicateAgentException
        ? ErrorCode.CONFLICT.exception(failure.getMessage()) : failure));
  }

  public Future<JsonObject> update(String tenant, String name, JsonObject json) {
    AgentSpec spec = validate(json.copy().put("name", name));
    return repository.update(tenant, name, spec.toJson()).compose(stored -> stored.isPresent()
      ? Future.succeededFuture(new Found(spec, "tenant", dates(stored.get())).toJson())
      : Future.failedFuture(ErrorCode.NOT_FOUND.exception("no agent '" + name + "' of this tenant (agents from "
        + "configuration are changed in configuration)")));
  }

  public Future<JsonObject> delete(String tenant, String name) {
    return repository.delete(tenant, name).compose(deleted -> deleted
      ? Future.succeededFuture(new JsonObject().put("deleted", name))
      : Future.failedFuture(ErrorCode.NOT_FOUND.exception("no agent '" + name + "' of this tenant")));
  }

  /** A page of the tenant's agents and the configured ones it sees, by name, after {@code after}. */
  public Future<JsonObject> list(String tenant, String after, int limit) {
    return repository.list(tenant, after, limit + 1).map(stored -> {
      Map<String, Found> byName = new TreeMap<>();
      config.agents().stream()
        .filter(a -> a.visibleTo(tenant) && (after == null || a.spec().name().compareTo(after) > 0))
        .forEach(a -> byName.put(a.spec().name(), new Found(a.spec(), "config", null)));
      stored.forEach(s -> byName.put(s.name(), new Found(AgentSpec.fromJson(s.spec(), config.maxSteps()), "tenant",
        dates(s))));
      List<Found> sorted = new ArrayList<>(byName.values());
      sorted.sort(Comparator.comparing(f -> f.spec().name()));
      // a stored agent past the page's end may sort after config agents that came in: keep only a full page
      boolean more = sorted.size() > limit;
      JsonArray page = new JsonArray();
      sorted.stream().limit(limit).forEach(f -> page.add(f.toJson()));
      String next = more ? sorted.get(limit - 1).spec().name() : null;
      return new JsonObject().put("agents", page).put("next", next);
    });
  }

  private static JsonObject dates(AgentRepository.StoredAgent stored) {
    return new JsonObject().put("createdAt", stored.createdAt().toString()).put("updatedAt", stored.updatedAt().toString());
  }
}
