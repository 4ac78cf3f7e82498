package io.ganglion.reflex;

import io.ganglion.config.ConfigReader;
import io.vertx.core.json.JsonObject;

import java.util.Locale;

/**
 * What a text that did not come from the user does when the injection detector flags it — a retrieved document
 * chunk, a tool result: indirect prompt injection. One setting, {@code reflex.injection.indirect.action}, for both.
 */
public enum IndirectInjectionPolicy {
  /** Leave the flagged text out; the model is told something was withheld, not what. The default. */
  WITHHOLD,
  /** Pass it on inside a warning that it is untrusted data whose instructions are not to be followed. */
  WRAP,
  /** Stop the work (an agent run ends {@code failed}). */
  STOP;

  /**
   * Reads {@code reflex.injection.indirect.action} ({@code withhold} when absent).
   *
   * @throws io.ganglion.config.ConfigException naming the key for any other value
   */
  public static IndirectInjectionPolicy from(JsonObject root) {
    ConfigReader indirect = new ConfigReader(root, "").child("reflex").child("injection").child("indirect");
    String value = indirect.oneOf("action", "withhold", "withhold", "wrap", "stop");
    return valueOf(value.toUpperCase(Locale.ROOT));
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
