package io.ganglion.reflex;

import java.util.Locale;

/**
 * The overall outcome of an inspection, strongest first: {@code block} beats {@code flag} beats {@code redact}
 * beats {@code allow}.
 */
public enum InspectionAction {
  /** Nothing to do: the text is returned unchanged. */
  ALLOW,
  /** PII was masked or hashed; forward the returned text instead of the original. */
  REDACT,
  /** Injection suspected and configured to flag: forward the (redacted) text, but treat it as untrusted. */
  FLAG,
  /** Refuse: a PII type configured to block, or an injection configured to block. */
  BLOCK;

  /** The lower-case name used in JSON. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The stronger of the two. */
  public InspectionAction max(InspectionAction other) {
    return other.ordinal() > ordinal() ? other : this;
  }
}
