package io.ganglion.orchestration.impl;

import io.ganglion.generation.ChatMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class QueryRewriterTest {

  static final List<ChatMessage> HISTORY = List.of(ChatMessage.user("How many vacation days do employees get?"),
    ChatMessage.assistant("Employees receive 25 days [1]."));

  @Test
  @DisplayName("a short follow-up carries the previous question's key terms after its own words")
  void shortFollowUp() {
    assertThat(QueryRewriter.rewrite("And contractors?", HISTORY)).isEqualTo("And contractors? vacation days employees");
  }

  @Test
  @DisplayName("a long follow-up with an anaphor is rewritten; a long standalone question and a first question are not")
  void anaphorsAndStandalone() {
    String anaphoric = "Can those unused days be carried over into the next calendar year at all";
    assertThat(QueryRewriter.rewrite(anaphoric, HISTORY)).startsWith(anaphoric).contains("vacation");
    String standalone = "Which receipts must be uploaded to the finance portal after business travel abroad";
    assertThat(QueryRewriter.rewrite(standalone, HISTORY)).isEqualTo(standalone);
    assertThat(QueryRewriter.rewrite("And contractors?", List.of())).isEqualTo("And contractors?");
  }
}
