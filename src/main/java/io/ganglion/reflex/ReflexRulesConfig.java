package io.ganglion.reflex;

import io.ganglion.config.ConfigReader;
import io.ganglion.reflex.rules.Rule;
import io.ganglion.reflex.rules.RuleParser;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Reflex rules: the inline list ({@code reflex.rules}) and an optional file that replaces it while it exists and
 * parses ({@code reflex.rulesFile}, YAML or JSON), checked for changes every {@code reflex.rulesCheckMs}.
 *
 * @param inline  the rules of the configuration, in order (the first matching rule applies)
 * @param file    the rules file, or empty for none
 * @param checkMs how often the file's modification time and size are compared with the last load
 */
public record ReflexRulesConfig(List<Rule> inline, String file, long checkMs) {

  public ReflexRulesConfig {
    inline = List.copyOf(inline);
  }

  /** Parses the rule keys of the {@code reflex} object ({@code null}: no rules). */
  public static ReflexRulesConfig from(JsonObject reflex) {
    ConfigReader r = new ConfigReader(reflex, "reflex");
    return new ReflexRulesConfig(
      RuleParser.parse(r.raw().getValue("rules"), "reflex.rules"),
      r.string("rulesFile", ""),
      r.longValue("rulesCheckMs", 2000, 100, 3_600_000));
  }
}
