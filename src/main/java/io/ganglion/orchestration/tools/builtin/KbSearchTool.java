package io.ganglion.orchestration.tools.builtin;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.generation.ToolDefinition;
import io.ganglion.orchestration.tools.Tool;
import io.ganglion.orchestration.tools.ToolContext;
import io.ganglion.orchestration.tools.ToolResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code kb_search {"query","kb"?,"k"?}}: hybrid search over the agent's knowledge bases (all of them, or the one
 * named), through {@code ganglion.retrieval.search}. The result lists passages best first, each with its citation
 * ({@code kb}, {@code documentId}, {@code chunkId}, {@code title}, offsets), numbered so the model can cite
 * {@code [n]}. Needs {@code kb:read} on the run's credential, and only ever reads the run's tenant's knowledge bases
 * that the agent names.
 */
public final class KbSearchTool implements Tool {

  public static final String NAME = "kb_search";
  private static final int MAX_K = 20;

  private static final ToolDefinition DEFINITION = new ToolDefinition(NAME,
    "Search the agent's knowledge bases for passages relevant to a query. Returns passages with their citations.",
    new JsonObject().put("type", "object")
      .put("properties", new JsonObject()
        .put("query", new JsonObject().put("type", "string").put("minLength", 1).put("maxLength", 4000)
          .put("description", "what to search for"))
        .put("kb", new JsonObject().put("type", "string").put("description", "one knowledge base of the agent; default all"))
        .put("k", new JsonObject().put("type", "integer").put("minimum", 1).put("maximum", MAX_K)
          .put("description", "passages to return (default 5)")))
      .put("required", new JsonArray().add("query"))
      .put("additionalProperties", false));

  private final Vertx vertx;

  public KbSearchTool(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public ToolDefinition definition() {
    return DEFINITION;
  }

  @Override
  public String source() {
    return "builtin";
  }

  @Override
  public boolean needsToolScope() {
    return false;
  }

  @Override
  public Future<ToolResult> call(JsonObject arguments, ToolContext context) {
    if (!context.has("kb:read")) {
      return Future.succeededFuture(ToolResult.error("The credential this run acts for lacks the kb:read scope."));
    }
    String kb = arguments.getString("kb");
    if (context.kbs().isEmpty()) {
      return Future.succeededFuture(ToolResult.error("This agent has no knowledge bases to search."));
    }
    if (kb != null && !context.kbs().contains(kb)) {
      return Future.succeededFuture(ToolResult.error("'" + kb + "' is not one of this agent's knowledge bases: "
        + context.kbs()));
    }
    int k = arguments.getInteger("k", 5);
    List<String> kbs = kb == null ? context.kbs() : List.of(kb);
    List<Future<JsonArray>> searches = new ArrayList<>();
    for (String name : kbs) {
      JsonObject request = new JsonObject().put("tenant", context.tenant()).put("kb", name)
        .put("query", arguments.getString("query")).put("k", k);
      searches.add(vertx.eventBus().<JsonObject>request(Addresses.RETRIEVAL_SEARCH, request,
          Deadlines.within(context.timeoutMs()))
        .map(Message::body)
        .map(reply -> {
          JsonArray hits = reply.getJsonArray("hits", new JsonArray());
          hits.forEach(h -> ((JsonObject) h).put("kb", name));
          return hits;
        }));
    }
    return Future.all(searches).map(all -> {
      List<JsonObject> hits = new ArrayList<>();
      searches.forEach(f -> f.result().forEach(h -> hits.add((JsonObject) h)));
      hits.sort(Comparator.comparingDouble((JsonObject h) -> h.getDouble("score", 0.0)).reversed());
      JsonArray passages = new JsonArray();
      for (int i = 0; i < Math.min(k, hits.size()); i++) {
        JsonObject h = hits.get(i);
        passages.add(new JsonObject().put("n", i + 1).put("text", h.getString("text"))
          .put("citation", new JsonObject().put("kb", h.getString("kb")).put("documentId", h.getString("documentId"))
            .put("chunkId", h.getString("chunkId")).put("title", h.getString("title"))
            .put("start", h.getInteger("start")).put("end", h.getInteger("end"))));
      }
      return ToolResult.of(new JsonObject().put("passages", passages));
    });
  }
}
