package io.ganglion.generation;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CitationParserTest {

  private static final List<String> PASSAGES = List.of("alpha", "beta", "gamma");

  @Test
  @DisplayName("Single and grouped markers map to their passages, each once, in order of first citation")
  void mapsMarkers() {
    String reply = "Vert.x is reactive [2]. It runs on Netty [1, 3] and scales [2,3].";

    assertThat(CitationParser.parse(reply, PASSAGES)).containsExactly(
      new Citation<>(2, "beta"), new Citation<>(1, "alpha"), new Citation<>(3, "gamma"));
  }

  @Test
  @DisplayName("Out-of-range numbers and non-numeric brackets are ignored")
  void ignoresInvalid() {
    String reply = "Made up [7]. Zero [0]. Editorial [sic] and [a, b]. Real [ 3 ].";

    assertThat(CitationParser.parse(reply, PASSAGES)).containsExactly(new Citation<>(3, "gamma"));
    assertThat(CitationParser.markers(reply)).containsExactly(7, 0, 3);
  }

  @Test
  @DisplayName("A reply without markers cites nothing")
  void noMarkers() {
    assertThat(CitationParser.parse("I cannot answer from the provided documents.", PASSAGES)).isEmpty();
  }

  @Test
  @DisplayName("The prompt numbers passages from 1, names sources and neutralises brackets inside passages")
  void rendersContext() {
    String context = CitationPrompt.renderContext(List.of(
      new ContextPassage("guide.md", "Verticles are deployed [see 2]."),
      new ContextPassage(null, "Event loops never block.")));

    assertThat(context).isEqualTo("[1] (guide.md) Verticles are deployed (see 2).\n\n[2] Event loops never block.");
    assertThat(CitationParser.markers(context)).containsExactly(1, 2);
  }

  @Test
  @DisplayName("The ready request carries the grounding system prompt and the question after the context")
  void buildsRequest() {
    ChatRequest request = CitationPrompt.request("What never blocks?", List.of(new ContextPassage("a", "Event loops.")));

    assertThat(request.system()).contains("[1]").contains("only");
    assertThat(request.messages()).singleElement().satisfies(m -> {
      assertThat(m.role()).isEqualTo(ChatMessage.Role.USER);
      assertThat(m.content()).startsWith("Context:\n[1] (a) Event loops.").endsWith("Question: What never blocks?");
    });
  }

  @Test
  @DisplayName("A follow-up request keeps the earlier turns before the context-bearing question")
  void buildsFollowUpRequest() {
    ChatRequest request = CitationPrompt.request("And then?",
      List.of(ChatMessage.user("What never blocks?"), ChatMessage.assistant("Event loops [1].")),
      List.of(new ContextPassage("a", "Event loops.")));

    assertThat(request.messages()).extracting(ChatMessage::content)
      .containsExactly("What never blocks?", "Event loops [1].", "Context:\n[1] (a) Event loops.\n\nQuestion: And then?");
  }
}
