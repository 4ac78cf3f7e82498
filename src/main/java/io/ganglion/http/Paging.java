package io.ganglion.http;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Function;

/**
 * Paged lists ({@code ?limit=&after=}): at most {@code limit} items (default {@value #DEFAULT_LIMIT}, at most
 * {@value #MAX_LIMIT}) following the item whose key is {@code after}; the reply carries {@code "next"}, the key to pass
 * as {@code after} for the following page, or null on the last page. Keys are opaque to clients.
 */
public record Paging(int limit, String after) {

  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 500;

  /** The paging parameters of a request; 400 when {@code limit} is not a whole number in range. */
  public static Paging of(RoutingContext ctx) {
    String limit = ctx.queryParams().get("limit");
    String after = ctx.queryParams().get("after");
    int parsed = DEFAULT_LIMIT;
    if (limit != null) {
      try {
        parsed = Integer.parseInt(limit.strip());
      } catch (NumberFormatException e) {
        parsed = -1;
      }
      if (parsed < 1 || parsed > MAX_LIMIT) {
        throw ErrorCode.INVALID_REQUEST.exception("'limit' must be a whole number from 1 to " + MAX_LIMIT);
      }
    }
    return new Paging(parsed, after == null || after.isBlank() ? null : after);
  }

  /**
   * One page of {@code items}, already sorted by {@code key}: the items after {@code after}, under {@code field},
   * and {@code next}.
   */
  public JsonObject page(JsonArray items, String field, Function<JsonObject, String> key) {
    JsonArray page = new JsonArray();
    String next = null;
    for (Object item : items) {
      JsonObject json = (JsonObject) item;
      if (after != null && key.apply(json).compareTo(after) <= 0) {
        continue;
      }
      if (page.size() == limit) {
        next = key.apply(page.getJsonObject(page.size() - 1));
        break;
      }
      page.add(json);
    }
    return new JsonObject().put(field, page).put("next", next);
  }
}
