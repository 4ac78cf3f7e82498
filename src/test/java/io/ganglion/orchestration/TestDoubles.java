package io.ganglion.orchestration;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * Installs the retrieval and embedding test doubles on a server's Vert.x, once, and only where the real verticle does
 * not answer (so the same tests run unchanged once retrieval and inference are deployed; the corpus must then be
 * ingested into KB {@value TestCorpus#KB}).
 */
public final class TestDoubles {

  private static final Map<Vertx, TestDoubles> INSTALLED = new java.util.concurrent.ConcurrentHashMap<>();

  /** {@code null} when the real verticle answers. */
  public final FakeRetrieval retrieval;
  public final HashingEmbedder embedder;

  private TestDoubles(FakeRetrieval retrieval, HashingEmbedder embedder) {
    this.retrieval = retrieval;
    this.embedder = embedder;
  }

  public static synchronized TestDoubles on(Vertx vertx) {
    return INSTALLED.computeIfAbsent(vertx, v -> {
      FakeRetrieval retrieval = null;
      HashingEmbedder embedder = null;
      if (absent(v, Addresses.RETRIEVAL_SEARCH, new JsonObject().put("tenant", "probe").put("kb", "probe").put("query", "probe"))) {
        retrieval = new FakeRetrieval(Map.of(TestCorpus.KB, TestCorpus.chunks(), "empty", List.of()));
        retrieval.register(v);
      }
      if (absent(v, Addresses.INFERENCE_EMBED, new JsonObject().put("texts", new JsonArray().add("probe")).put("kind", "query"))) {
        embedder = new HashingEmbedder();
        embedder.register(v);
      }
      return new TestDoubles(retrieval, embedder);
    });
  }

  private static boolean absent(Vertx vertx, String address, JsonObject probe) {
    try {
      vertx.eventBus().request(address, probe, Deadlines.within(5000)).await();
      return false;
    } catch (ReplyException e) {
      return e.failureType() == ReplyFailure.NO_HANDLERS;
    } catch (Exception e) {
      return false;
    }
  }
}
