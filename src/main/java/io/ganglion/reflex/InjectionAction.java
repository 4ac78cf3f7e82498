package io.ganglion.reflex;

import java.util.Locale;

/**
 * What a detected injection causes.
 */
public enum InjectionAction {
  /** Refuse the request ({@link InspectionAction#BLOCK}). */
  BLOCK,
  /** Let it through, marked {@link InspectionAction#FLAG}, for the orchestrator to treat as untrusted. */
  FLAG;

  /**
   * Parses {@code block} or {@code flag} (any case).
   *
   * @throws IllegalArgumentException for any other value
   */
  public static InjectionAction parse(String value) {
    for (InjectionAction a : values()) {
      if (a.name().equalsIgnoreCase(value)) {
        return a;
      }
    }
    throw new IllegalArgumentException("expected block or flag, got '" + value + "'");
  }

  /** The lower-case name used in JSON and configuration. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
