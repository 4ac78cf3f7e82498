package io.ganglion.reflex.rules;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * One reflex rule: when {@link #match} finds something in a question asked of one of {@link #kbs} (empty: any), the
 * rule's {@link #action} applies. Immutable; built by {@link RuleParser}.
 *
 * @param match     the configured regular expression, or the keywords as one whole-word alternation; both
 *                  case-insensitive
 * @param message   the refusal (block) or the canned answer (answer); {@code null} for route
 * @param kb        the knowledge base a route sends to, or {@code null} to keep the asked one
 * @param generator the generator a route asks for, or {@code null} to keep the asked one
 */
public record Rule(String name, Pattern match, Set<String> kbs, RuleAction action, String message, String kb,
                   String generator) {

  public Rule {
    kbs = Set.copyOf(kbs);
  }

  /** Whether this rule applies to a question asked of {@code targetKb}. */
  public boolean matches(String targetKb, String question) {
    return (kbs.isEmpty() || kbs.contains(targetKb)) && match.matcher(question).find();
  }
}
