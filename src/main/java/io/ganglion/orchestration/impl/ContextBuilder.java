package io.ganglion.orchestration.impl;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the generator's context from ranked passages: duplicates dropped (same chunk id, or the same text after
 * whitespace and case folding — the same paragraph ingested twice), then passages taken in rank order while they fit
 * the token budget; one that does not fit is skipped so a smaller one further down may still be used. The order is
 * the rank order, so passage {@code [1]} is the most relevant.
 */
final class ContextBuilder {

  private ContextBuilder() {
  }

  static List<Passage> build(List<Passage> ranked, int tokenBudget) {
    List<Passage> out = new ArrayList<>();
    Set<String> chunkIds = new HashSet<>();
    Set<String> texts = new HashSet<>();
    int used = 0;
    for (Passage passage : ranked) {
      String normalised = Terms.lower(passage.text()).replaceAll("\\s+", " ").strip();
      if (normalised.isEmpty() || (passage.chunkId() != null && !chunkIds.add(passage.chunkId())) || !texts.add(normalised)) {
        continue;
      }
      int tokens = Tokens.estimate(passage.text());
      if (used + tokens > tokenBudget) {
        continue;
      }
      used += tokens;
      out.add(passage);
    }
    return out;
  }
}
