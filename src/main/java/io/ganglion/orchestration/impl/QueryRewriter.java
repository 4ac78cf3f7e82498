package io.ganglion.orchestration.impl;

import io.ganglion.generation.ChatMessage;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * History-aware retrieval: turns a follow-up question into a standalone search query, without a model.
 * <p>
 * The rule: when the conversation has an earlier user question and the follow-up is short (at most
 * {@value #SHORT} content words) or refers back (contains an anaphor such as "it", "they", "that", "there"), the
 * query is the follow-up followed by up to {@value #MAX_TERMS} content words of the most recent earlier user question
 * that the follow-up does not already contain. Otherwise the question is used as it is. The follow-up stays first, so
 * its own terms dominate keyword scoring; the carried terms restore the topic the anaphor points at.
 * Example: "How many vacation days do employees get?" then "And for contractors?" searches
 * "And for contractors? vacation days employees".
 */
public final class QueryRewriter {

  static final int SHORT = 6;
  static final int MAX_TERMS = 8;
  static final Set<String> ANAPHORS = Set.of("it", "its", "they", "them", "their", "this", "that", "these", "those",
    "there", "he", "she", "his", "her", "one", "ones", "same", "such", "former", "latter", "above", "previous");

  private QueryRewriter() {
  }

  /** The standalone query for {@code question} given the earlier turns (oldest first). */
  public static String rewrite(String question, List<ChatMessage> history) {
    String previous = null;
    for (int i = history.size() - 1; i >= 0 && previous == null; i--) {
      if (history.get(i).role() == ChatMessage.Role.USER && !history.get(i).content().isBlank()) {
        previous = history.get(i).content();
      }
    }
    if (previous == null || !isFollowUp(question)) {
      return question;
    }
    Set<String> own = new LinkedHashSet<>(Terms.words(question));
    Set<String> carried = new LinkedHashSet<>();
    for (String term : Terms.content(previous)) {
      if (!own.contains(term) && carried.size() < MAX_TERMS) {
        carried.add(term);
      }
    }
    return carried.isEmpty() ? question : question.strip() + " " + String.join(" ", carried);
  }

  static boolean isFollowUp(String question) {
    if (Terms.content(question).size() <= SHORT) {
      return true;
    }
    for (String word : Terms.words(question)) {
      if (ANAPHORS.contains(word)) {
        return true;
      }
    }
    return false;
  }
}
