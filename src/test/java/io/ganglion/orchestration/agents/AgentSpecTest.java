package io.ganglion.orchestration.agents;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Agent specs")
class AgentSpecTest {

  private static JsonObject minimal() {
    return new JsonObject().put("name", "helper").put("instructions", "Help.");
  }

  @Test
  @DisplayName("defaults: react, no provider, the configured maxSteps, no budget; the JSON round-trips")
  void defaults() {
    AgentSpec spec = AgentSpec.fromJson(minimal(), 8);

    assertThat(spec.kind()).isEqualTo(AgentSpec.Kind.REACT);
    assertThat(spec.provider()).isNull();
    assertThat(spec.maxSteps()).isEqualTo(8);
    assertThat(spec.budget()).isEqualTo(AgentSpec.Budget.NONE);
    assertThat(AgentSpec.fromJson(spec.toJson(), 3)).isEqualTo(spec);
  }

  @Test
  @DisplayName("each invalid field is refused with a message naming it")
  void invalid() {
    assertThatThrownBy(() -> AgentSpec.fromJson(minimal().put("name", "Bad Name"), 8)).hasMessageContaining("'name'");
    assertThatThrownBy(() -> AgentSpec.fromJson(minimal().put("kind", "swarm"), 8)).hasMessageContaining("'kind'");
    assertThatThrownBy(() -> AgentSpec.fromJson(minimal().put("kind", "router"), 8)).hasMessageContaining("'agents'");
    assertThatThrownBy(() -> AgentSpec.fromJson(minimal().put("maxSteps", 0), 8)).hasMessageContaining("'maxSteps'");
    assertThatThrownBy(() -> AgentSpec.fromJson(minimal().put("tools", new JsonArray().add("bad name")), 8))
      .hasMessageContaining("'tools'");
    assertThatThrownBy(() -> AgentSpec.fromJson(minimal().put("approval", new JsonArray().add("exec")), 8))
      .hasMessageContaining("'approval'");
    assertThatThrownBy(() -> AgentSpec.fromJson(minimal().put("budget", new JsonObject().put("costUsd", -1)), 8))
      .hasMessageContaining("budget.costUsd");
    assertThatThrownBy(() -> AgentSpec.fromJson(minimal().put("colour", "red"), 8)).hasMessageContaining("'colour'");
  }

  @Test
  @DisplayName("approval may name a tool an MCP wildcard offers")
  void wildcardApproval() {
    AgentSpec spec = AgentSpec.fromJson(minimal().put("tools", new JsonArray().add("crm__*"))
      .put("approval", new JsonArray().add("crm__delete")), 8);

    assertThat(spec.needsApproval("crm__delete")).isTrue();
    assertThat(spec.needsApproval("crm__read")).isFalse();
  }
}
