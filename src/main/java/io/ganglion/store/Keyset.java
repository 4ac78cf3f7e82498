package io.ganglion.store;

import io.ganglion.bus.ErrorCode;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Where a newest-first page of rows ordered by {@code (created_at, id)} continues: the page's last row. As a cursor
 * (the {@code next} and {@code after} of the paged lists of runs and traces) it is {@code <createdAt>_<id>}.
 */
public record Keyset(OffsetDateTime createdAt, UUID id) {

  /** The cursor's position, or null for null; 4000 when it is not a cursor from a previous page. */
  public static Keyset parse(String cursor) {
    if (cursor == null) {
      return null;
    }
    int sep = cursor.lastIndexOf('_');
    try {
      return new Keyset(OffsetDateTime.parse(cursor.substring(0, sep)), UUID.fromString(cursor.substring(sep + 1)));
    } catch (RuntimeException e) {
      throw ErrorCode.INVALID_REQUEST.exception("'after' is not a cursor from a previous page");
    }
  }

  public String cursor() {
    return createdAt + "_" + id;
  }
}
