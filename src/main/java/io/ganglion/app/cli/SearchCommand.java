package io.ganglion.app.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ganglion search KB "query"}: the best passages, with their scores and where they are in their document. */
@Command(name = "search", mixinStandardHelpOptions = true, description = "Search a knowledge base (no answer, just passages).")
final class SearchCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "KB")
  String kb;

  @Parameters(index = "1", paramLabel = "QUERY")
  String query;

  @Option(names = "--k", defaultValue = "10", description = "hits (default: ${DEFAULT-VALUE})")
  int k;

  @Option(names = "--mode", defaultValue = "hybrid", description = "hybrid, keyword or vector (default: ${DEFAULT-VALUE})")
  String mode;

  @Override
  int run(ApiClient client) {
    JsonObject reply = client.post("/v1/kbs/" + ApiClient.encode(kb) + "/search",
      new JsonObject().put("query", query).put("k", k).put("mode", mode));
    if (json()) {
      printJson(reply);
      return ExitCodes.OK;
    }
    int rank = 0;
    for (Object item : reply.getJsonArray("hits")) {
      JsonObject hit = (JsonObject) item;
      out().printf("%d. %s [%d-%d] score %.4f%n   %s%n", ++rank, hit.getString("documentId"), hit.getInteger("start"),
        hit.getInteger("end"), hit.getDouble("score"), oneLine(hit.getString("text")));
    }
    if (rank == 0) {
      out().println("no hits");
    }
    out().flush();
    return ExitCodes.OK;
  }

  private static String oneLine(String text) {
    String flat = text == null ? "" : text.replaceAll("\\s+", " ").strip();
    return flat.length() > 200 ? flat.substring(0, 197) + "..." : flat;
  }
}
