package io.ganglion.orchestration.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Content words of a text, for the lexical rules of the pipeline (follow-up rewriting, the groundedness judge).
 * Lucene's English stop set lacks the question words these rules must ignore ("what", "how", "does"), hence this list.
 */
final class Terms {

  static final Set<String> STOP = Set.of(
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do", "does", "for", "from",
    "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "no", "not", "of", "on", "or",
    "our", "so", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "to",
    "us", "was", "we", "were", "what", "when", "where", "which", "who", "whom", "why", "will", "with", "would", "you",
    "your", "about", "tell", "more", "also", "any", "all", "some", "should", "may", "must", "he", "she", "his", "her",
    "one", "ones", "same", "please", "much", "many", "get", "got", "just", "only", "very");

  private Terms() {
  }

  /** Lower-cased words (letters and digits), in order, with repeats. */
  static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isLetterOrDigit(cp)) {
        word.appendCodePoint(Character.toLowerCase(cp));
      } else if (!word.isEmpty()) {
        words.add(word.toString());
        word.setLength(0);
      }
    }
    if (!word.isEmpty()) {
      words.add(word.toString());
    }
    return words;
  }

  /** {@link #words} without stop words and one-letter words; numbers are kept. */
  static List<String> content(String text) {
    List<String> out = new ArrayList<>();
    for (String w : words(text)) {
      if (!STOP.contains(w) && (w.length() > 1 || Character.isDigit(w.charAt(0)))) {
        out.add(w);
      }
    }
    return out;
  }

  static String lower(String text) {
    return text.toLowerCase(Locale.ROOT);
  }
}
