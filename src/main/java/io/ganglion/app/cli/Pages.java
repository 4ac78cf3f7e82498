package io.ganglion.app.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * The paging options every list command shares ({@code @Mixin}): the {@code ?limit=&after=} query, and the hint naming
 * the next page. The server caps the page size per list and answers a larger one with a clear 400.
 */
final class Pages {

  @Option(names = "--limit", defaultValue = "50", description = "page size (default: ${DEFAULT-VALUE})")
  int limit;

  @Option(names = "--after", description = "the page after this name or id (printed at the end of the previous page)")
  String after;

  String query() {
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
