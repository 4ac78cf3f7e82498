package io.ganglion.orchestration.impl;

/**
 * Token estimates where no tokenizer is at hand (context budgets, extractive usage): about four characters per token,
 * the usual figure for English BPE vocabularies. Upstream providers report their own counts, which replace these.
 */
public final class Tokens {

  private Tokens() {
  }

  public static int estimate(String text) {
    return text == null || text.isEmpty() ? 0 : (text.length() + 3) / 4;
  }
}
