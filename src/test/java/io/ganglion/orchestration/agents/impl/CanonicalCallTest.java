package io.ganglion.orchestration.agents.impl;

import io.ganglion.generation.ToolCall;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Repeated calls are compared as canonical JSON")
class CanonicalCallTest {

  @Test
  @DisplayName("key order and whitespace do not matter, at any depth; name and values do")
  void canonical() {
    String a = ToolTurn.canonical(new ToolCall("1", "search", "{\"q\":\"x\",\"opts\":{\"k\":2,\"mode\":\"a\"}}"));
    String b = ToolTurn.canonical(new ToolCall("2", "search", "{ \"opts\" : {\"mode\":\"a\",\"k\":2}, \"q\" : \"x\" }"));

    assertThat(a).isEqualTo(b);
    assertThat(ToolTurn.canonical(new ToolCall("3", "search", "{\"q\":\"y\",\"opts\":{\"k\":2,\"mode\":\"a\"}}")))
      .isNotEqualTo(a);
    assertThat(ToolTurn.canonical(new ToolCall("4", "find", "{\"q\":\"x\",\"opts\":{\"k\":2,\"mode\":\"a\"}}")))
      .isNotEqualTo(a);
    assertThat(ToolTurn.canonical(new ToolCall("5", "search", "not json"))).isEqualTo("[\"search\",\"not json\"]");
  }
}
