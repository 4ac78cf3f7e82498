package io.ganglion.orchestration.impl;

import io.ganglion.retrieval.ingest.SentenceSpans;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits passages into sentences with exact document offsets, as ingestion does when it stores sentence vectors
 * ({@link SentenceSpans}, the one home of the split), so stored vectors are found by the same offsets.
 */
final class SentenceSplitter {

  private SentenceSplitter() {
  }

  static List<Sentence> split(int passageIndex, Passage passage) {
    List<Sentence> out = new ArrayList<>();
    for (SentenceSpans.Span span : SentenceSpans.split(passage.text(), passage.start())) {
      out.add(new Sentence(passageIndex, span.text(), span.start(), span.end()));
    }
    return out;
  }
}
