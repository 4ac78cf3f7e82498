package io.ganglion.orchestration;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test double of {@code ganglion.retrieval.search} over {@link TestCorpus}: keyword scoring (distinct query terms found
 * in the chunk), hits in the real reply shape with document offsets. KB {@value #BROKEN} fails with 5031 (retrieval
 * down); unknown KBs are 4040.
 */
public final class FakeRetrieval {

  public static final String BROKEN = "broken";

  /** Every search request received, in order. */
  public final List<JsonObject> received = new CopyOnWriteArrayList<>();
  private final Map<String, List<TestCorpus.Chunk>> kbs;

  public FakeRetrieval(Map<String, List<TestCorpus.Chunk>> kbs) {
    this.kbs = kbs;
  }

  public void register(Vertx vertx) {
    io.ganglion.bus.PublicAddress.register(vertx.eventBus(), Addresses.RETRIEVAL_SEARCH, this::search).await();
  }

  private void search(Message<JsonObject> msg) {
    JsonObject request = msg.body();
    received.add(request.copy());
    String kb = request.getString("kb");
    if (BROKEN.equals(kb)) {
      ErrorCode.UNAVAILABLE.fail(msg, "index unavailable");
      return;
    }
    List<TestCorpus.Chunk> chunks = kbs.get(kb);
    if (chunks == null) {
      ErrorCode.NOT_FOUND.fail(msg, "no knowledge base named '" + kb + "'");
      return;
    }
    String query = request.getString("query");
    msg.reply(new JsonObject().put("hits", hits(chunks, query, request.getInteger("k", 10))));
  }

  private static JsonArray hits(List<TestCorpus.Chunk> chunks, String query, int k) {
    Set<String> terms = terms(query);
    List<JsonObject> scored = new ArrayList<>();
    for (TestCorpus.Chunk chunk : chunks) {
      Set<String> words = terms(chunk.text());
      long found = terms.stream().filter(words::contains).count();
      if (found > 0) {
        double score = found / Math.sqrt(terms.size());
        scored.add(new JsonObject().put("documentId", chunk.documentId()).put("chunkId", chunk.chunkId())
          .put("title", chunk.title()).put("text", chunk.text()).put("start", chunk.start()).put("end", chunk.end())
          .put("score", score).put("scores", new JsonObject().put("keyword", score).put("vector", 0.0)));
      }
    }
    scored.sort(Comparator.comparingDouble((JsonObject h) -> h.getDouble("score")).reversed());
    return new JsonArray(scored.subList(0, Math.min(k, scored.size())));
  }

  private static Set<String> terms(String text) {
    Set<String> out = new HashSet<>();
    for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (word.length() > 2 && !Set.of("the", "and", "how", "what", "are", "for", "many", "does", "get").contains(word)) {
        out.add(word.length() > 3 && word.endsWith("s") ? word.substring(0, word.length() - 1) : word);
      }
    }
    return out;
  }
}
