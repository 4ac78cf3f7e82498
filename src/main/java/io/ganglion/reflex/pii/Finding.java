package io.ganglion.reflex.pii;

import io.vertx.core.json.JsonObject;

/**
 * One piece of personal data or secret found in a text: its type ({@link PiiTypes} or a custom pattern's name),
 * the half-open character range {@code [start, end)} in the inspected text, and a confidence in {@code [0, 1]}.
 */
public record Finding(String type, int start, int end, double score) {

  public Finding {
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("bad range [" + start + ", " + end + ")");
    }
  }

  /** The number of characters covered. */
  public int length() {
    return end - start;
  }

  /** True when the two ranges share at least one character. */
  public boolean overlaps(Finding other) {
    return start < other.end && other.start < end;
  }

  /** {@code {"type","start","end","score"}}. */
  public JsonObject toJson() {
    return new JsonObject().put("type", type).put("start", start).put("end", end).put("score", score);
  }
}
