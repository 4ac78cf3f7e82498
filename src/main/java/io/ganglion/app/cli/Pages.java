package io.ganglion.app.cli;

import io.vertx.core.json.JsonObject;

import java.io.PrintWriter;

/** Paged lists: the {@code ?limit=&after=} query, and the hint naming the next page. */
final class Pages {

  private Pages() {
  }

  static String query(int limit, String after) {
    return "?limit=" + limit + (after == null ? "" : "&after=" + ApiClient.encode(after));
  }

  /** On stderr (so stdout stays the list): how to ask for the next page, when there is one. */
  static void printNext(PrintWriter err, JsonObject page) {
    String next = page.getString("next");
    if (next != null) {
      err.println("more: --after " + next);
      err.flush();
    }
  }
}
