package io.ganglion.reflex.pii;

import java.util.Locale;

/**
 * What happens to a finding of a given type in a given direction.
 */
public enum PiiAction {
  /** Leave the text as it is; the finding is still reported. */
  ALLOW,
  /** Replace with a placeholder such as {@code [EMAIL_1]}; the same value gets the same placeholder in one request. */
  MASK,
  /** Replace with a salted SHA-256 prefix such as {@code [EMAIL:3fa2b1c4d5e6]}: stable across requests, not reversible. */
  HASH,
  /** Refuse the whole text; it is masked as well, for whatever still logs it. */
  BLOCK;

  /** The lower-case name used in JSON and configuration. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code allow}, {@code mask}, {@code hash} or {@code block} (any case).
   *
   * @throws IllegalArgumentException for any other value
   */
  public static PiiAction parse(String value) {
    for (PiiAction a : values()) {
      if (a.name().equalsIgnoreCase(value)) {
        return a;
      }
    }
    throw new IllegalArgumentException("expected allow, mask, hash or block, got '" + value + "'");
  }
}
