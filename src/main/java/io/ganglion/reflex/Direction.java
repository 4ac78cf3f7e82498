package io.ganglion.reflex;

import java.util.Locale;

/**
 * Which way text is travelling when it is inspected; PII actions are configured per direction.
 */
public enum Direction {
  /** A prompt or document on its way in, before it reaches a model or a tool. */
  INPUT,
  /** Model output on its way to the client, streamed or whole. */
  OUTPUT,
  /** Text about to be written to traces, conversations or the audit log. */
  STORED;

  /** The lower-case name used in JSON and configuration. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code input}, {@code output} or {@code stored} (any case).
   *
   * @throws IllegalArgumentException for any other value
   */
  public static Direction parse(String value) {
    for (Direction d : values()) {
      if (d.name().equalsIgnoreCase(value)) {
        return d;
      }
    }
    throw new IllegalArgumentException("expected input, output or stored, got '" + value + "'");
  }
}
