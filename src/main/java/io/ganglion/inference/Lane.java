package io.ganglion.inference;

import java.util.Locale;

/**
 * Which lane of a model's queue an inference request waits in. Each model has both; a batch takes interactive items
 * first and fills up with bulk ones, and bulk keeps a minimum share of every batch while it waits, so it is never
 * starved (see {@code inference.lanes}).
 */
public enum Lane {
  /** Someone is waiting: queries, reranking, guard embeddings. A full lane fails fast with 5030 (503, Retry-After). */
  INTERACTIVE,
  /** The server's own background work (ingestion, re-embedding): a full lane makes the request wait for room. */
  BULK;

  /** The wire name, {@code interactive} or {@code bulk}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code interactive} or {@code bulk}; anything else is an {@link IllegalArgumentException}. */
  public static Lane parse(String value) {
    return switch (value) {
      case "interactive" -> INTERACTIVE;
      case "bulk" -> BULK;
      default -> throw new IllegalArgumentException("'lane' must be interactive or bulk, got " + value);
    };
  }
}
