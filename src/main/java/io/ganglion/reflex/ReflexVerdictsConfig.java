package io.ganglion.reflex;

import io.ganglion.config.ConfigReader;
import io.vertx.core.json.JsonObject;

/**
 * The reflex verticle's cache of inspection verdicts ({@code reflex.verdicts}): a text inspected again in the same
 * direction, for the same tenant and knowledge base, gets the verdict of the first time without running the detectors
 * (a repeated question, a quoted passage), until the least recently used verdicts leave.
 *
 * @param maxEntries verdicts kept; 0 turns the cache off ({@code reflex.verdicts.maxEntries})
 * @param maxChars texts longer than this are always inspected afresh, so a few long texts cannot fill the memory
 *                 ({@code reflex.verdicts.maxChars})
 */
public record ReflexVerdictsConfig(int maxEntries, int maxChars) {

  /** Parses {@code reflex.verdicts} from the {@code reflex} object ({@code null}: defaults). */
  public static ReflexVerdictsConfig from(JsonObject reflex) {
    ConfigReader r = new ConfigReader(reflex, "reflex").child("verdicts");
    return new ReflexVerdictsConfig(r.integer("maxEntries", 10_000, 0, 10_000_000),
      r.integer("maxChars", 4_000, 1, 1_000_000));
  }
}
