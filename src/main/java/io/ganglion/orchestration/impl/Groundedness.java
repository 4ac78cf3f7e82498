package io.ganglion.orchestration.impl;

import io.ganglion.generation.CitationParser;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The judge: how much of an answer its citations support. Each answer sentence with content words counts; it is
 * supported when it carries a citation marker and at least {@value #SUPPORT} of its content words occur in the passages
 * it cites. Groundedness is the supported fraction; an answer without such sentences (an abstention) has none.
 * Lexical and deterministic: it catches a model citing the wrong passage or adding uncited claims, not paraphrase
 * subtleties.
 */
final class Groundedness {

  static final double SUPPORT = 0.6;
  private static final Pattern MARKERS = Pattern.compile("\\[\\s*\\d{1,4}(\\s*,\\s*\\d{1,4})*\\s*]");

  /** {@code score} is {@code null} when no sentence could be judged. */
  record Verdict(Double score, int supported, int sentences) {
  }

  private Groundedness() {
  }

  /**
   * @param cited the passage text behind each citation number ({@code cited.get(n - 1)}), or {@code null} where a
   *              number cites nothing
   */
  static Verdict judge(String answer, List<String> cited) {
    int sentences = 0;
    int supported = 0;
    Passage whole = new Passage(null, null, null, answer, 0, answer.length(), 0);
    for (Sentence sentence : SentenceSplitter.split(0, whole)) {
      List<String> words = Terms.content(MARKERS.matcher(sentence.text()).replaceAll(" "));
      if (words.isEmpty()) {
        continue;
      }
      sentences++;
      Set<String> evidence = new HashSet<>();
      for (int n : CitationParser.markers(sentence.text())) {
        if (n >= 1 && n <= cited.size() && cited.get(n - 1) != null) {
          evidence.addAll(Terms.words(cited.get(n - 1)));
        }
      }
      long covered = words.stream().filter(evidence::contains).count();
      if (!evidence.isEmpty() && covered >= SUPPORT * words.size()) {
        supported++;
      }
    }
    return new Verdict(sentences == 0 ? null : (double) supported / sentences, supported, sentences);
  }
}
