package io.ganglion.orchestration.impl;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SentenceSplitterTest {

  @Test
  @DisplayName("sentences keep exact document offsets; headings and fragments are dropped")
  void offsets() {
    String document = "Intro text here.\n\nVacation policy\nEmployees receive 25 days. Requests go to the team lead!\nOk.";
    int start = document.indexOf("Vacation");
    Passage passage = new Passage("d", "c", "t", document.substring(start), start, document.length(), 1);

    List<Sentence> sentences = SentenceSplitter.split(2, passage);

    assertThat(sentences).extracting(Sentence::text)
      .containsExactly("Employees receive 25 days.", "Requests go to the team lead!");
    for (Sentence s : sentences) {
      assertThat(document.substring(s.start(), s.end())).isEqualTo(s.text());
      assertThat(s.passage()).isEqualTo(2);
    }
  }

  @Test
  @DisplayName("the citation marker goes before the final punctuation")
  void marker() {
    assertThat(ExtractiveGenerator.withMarker("Employees get 25 days.", 2)).isEqualTo("Employees get 25 days [2].");
    assertThat(ExtractiveGenerator.withMarker("No punctuation", 1)).isEqualTo("No punctuation [1]");
  }
}
