package io.ganglion.reflex.rules;

import java.util.Locale;

/** What a matching reflex rule does with a question. */
public enum RuleAction {
  /** Refuse the question: 422 {@code unprocessable} with the rule's message. */
  BLOCK,
  /** Answer with the rule's message, in the normal answer shape, generator {@code rule:<name>}. */
  ANSWER,
  /** Send the question to another knowledge base and/or generator. */
  ROUTE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @throws IllegalArgumentException for anything but block, answer or route */
  public static RuleAction parse(String value) {
    for (RuleAction a : values()) {
      if (a.wireName().equals(value)) {
        return a;
      }
    }
    throw new IllegalArgumentException("must be block, answer or route, got '" + value + "'");
  }
}
