package io.ganglion.reflex.pii;

import io.ganglion.reflex.Direction;

import java.util.HashMap;
import java.util.Map;

/**
 * The action for each PII type in each direction, with a fallback for types that have no entry (such as custom
 * patterns nobody configured an action for). Immutable.
 */
public final class PiiPolicy {

  private final Map<String, PiiAction[]> actions;
  private final PiiAction fallback;

  /**
   * @param actions per type, the action per direction; a direction missing for a type takes {@code fallback}
   * @param fallback the action for anything not listed
   */
  public PiiPolicy(Map<String, Map<Direction, PiiAction>> actions, PiiAction fallback) {
    Map<String, PiiAction[]> table = new HashMap<>();
    actions.forEach((type, byDirection) -> {
      PiiAction[] row = new PiiAction[Direction.values().length];
      for (Direction d : Direction.values()) {
        row[d.ordinal()] = byDirection.getOrDefault(d, fallback);
      }
      table.put(type, row);
    });
    this.actions = Map.copyOf(table);
    this.fallback = fallback;
  }

  /** The action for findings of {@code type} travelling in {@code direction}. */
  public PiiAction actionFor(String type, Direction direction) {
    PiiAction[] row = actions.get(type);
    return row == null ? fallback : row[direction.ordinal()];
  }
}
