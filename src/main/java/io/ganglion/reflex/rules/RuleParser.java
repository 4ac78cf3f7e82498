package io.ganglion.reflex.rules;

import io.ganglion.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Parses a list of rules, {@code [{name, match: {regex | keywords: [...]}, kbs?: [...], action: block|answer|route,
 * message?, kb?, generator?}]}, the same for {@code reflex.rules} in the configuration and for the rules file. Every
 * problem is a {@link ConfigException} naming the entry ({@code reflex.rules[2].match.regex}).
 */
public final class RuleParser {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final Pattern KB = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;

  private RuleParser() {
  }

  /**
   * @param value a {@link JsonArray} of rule objects, or {@code null} (no rules)
   * @param key   the key the list was read from, for messages
   */
  public static List<Rule> parse(Object value, String key) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray list)) {
      throw new ConfigException(key, "must be a list of rules {name, match, action, ...}");
    }
    List<Rule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = key + "[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject entry)) {
        throw new ConfigException(at, "must be an object {name, match, action, ...}");
      }
      Rule rule = rule(entry, at);
      if (!names.add(rule.name())) {
        throw new ConfigException(at + ".name", "'" + rule.name() + "' is used by an earlier rule");
      }
      rules.add(rule);
    }
    return List.copyOf(rules);
  }

  private static Rule rule(JsonObject entry, String at) {
    String name = text(entry, "name", at);
    if (name == null || !NAME.matcher(name).matches()) {
      throw new ConfigException(at + ".name", "is required: 1-64 letters, digits, '_', '.' or '-'");
    }
    RuleAction action;
    try {
      action = RuleAction.parse(text(entry, "action", at));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(at + ".action", e.getMessage());
    }
    String message = text(entry, "message", at);
    String kb = text(entry, "kb", at);
    String generator = text(entry, "generator", at);
    if (action == RuleAction.ANSWER && (message == null || message.isBlank())) {
      throw new ConfigException(at + ".message", "is required for action answer");
    }
    if (action == RuleAction.BLOCK && (message == null || message.isBlank())) {
      message = "This question is not accepted here (rule " + name + ").";
    }
    if (action == RuleAction.ROUTE) {
      if (kb == null && generator == null) {
        throw new ConfigException(at, "action route needs 'kb' and/or 'generator'");
      }
      if (kb != null && !KB.matcher(kb).matches()) {
        throw new ConfigException(at + ".kb", "not a knowledge base name: '" + kb + "'");
      }
      message = null;
    } else {
      kb = null;
      generator = null;
    }
    return new Rule(name, match(entry.getValue("match"), at + ".match"), kbs(entry.getValue("kbs"), at + ".kbs"),
      action, message, kb, generator);
  }

  private static Pattern match(Object value, String at) {
    if (!(value instanceof JsonObject match) || match.containsKey("regex") == match.containsKey("keywords")) {
      throw new ConfigException(at, "must be {regex: \"...\"} or {keywords: [...]}");
    }
    if (match.containsKey("regex")) {
      if (!(match.getValue("regex") instanceof String regex) || regex.isEmpty()) {
        throw new ConfigException(at + ".regex", "must be a non-empty string");
      }
      try {
        return Pattern.compile(regex, FLAGS);
      } catch (PatternSyntaxException e) {
        throw new ConfigException(at + ".regex", "not a valid regular expression: " + e.getDescription());
      }
    }
    if (!(match.getValue("keywords") instanceof JsonArray words) || words.isEmpty()) {
      throw new ConfigException(at + ".keywords", "must be a non-empty list of words or phrases");
    }
    StringBuilder alternation = new StringBuilder("(?<![\\p{L}\\p{N}])(?:");
    for (int i = 0; i < words.size(); i++) {
      if (!(words.getValue(i) instanceof String word) || word.isBlank()) {
        throw new ConfigException(at + ".keywords[" + i + "]", "must be a non-empty string");
      }
      alternation.append(i == 0 ? "" : "|").append(Pattern.quote(word.trim()).replace(" ", "\\E\\s+\\Q"));
    }
    return Pattern.compile(alternation.append(")(?![\\p{L}\\p{N}])").toString(), FLAGS);
  }

  private static Set<String> kbs(Object value, String at) {
    if (value == null) {
      return Set.of();
    }
    if (!(value instanceof JsonArray list)) {
      throw new ConfigException(at, "must be a list of knowledge base names");
    }
    Set<String> kbs = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof String kb) || !KB.matcher(kb).matches()) {
        throw new ConfigException(at + "[" + i + "]", "not a knowledge base name: '" + list.getValue(i) + "'");
      }
      kbs.add(kb);
    }
    return kbs;
  }

  private static String text(JsonObject entry, String field, String at) {
    Object value = entry.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw new ConfigException(at + "." + field, "must be a string");
    }
    return s;
  }
}
