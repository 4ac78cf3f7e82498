package io.ganglion.orchestration.impl;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Client of {@code ganglion.retrieval.search} (which also reranks, when retrieval has a cross-encoder configured).
 */
final class Retriever {

  private final Vertx vertx;

  Retriever(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The hits of a search, best first, and whether some shard could not answer ({@code partial}). */
  record Retrieved(List<Passage> passages, boolean partial) {
  }

  /** The hits, best first. Fails with the retrieval verticle's failure (4040 no such KB, 5031, timeout...). */
  Future<Retrieved> search(String tenant, String kb, String query, int k, String mode, JsonObject filter,
                               DeliveryOptions hop) {
    JsonObject request = new JsonObject().put("tenant", tenant).put("kb", kb).put("query", query).put("k", k)
      .put("mode", mode);
    if (filter != null) {
      request.put("filter", filter);
    }
    return vertx.eventBus().<JsonObject>request(Addresses.local(Addresses.RETRIEVAL_SEARCH), request, hop)
      .map(Message::body)
      .map(reply -> {
        List<Passage> passages = new ArrayList<>();
        reply.getJsonArray("hits", new JsonArray()).forEach(hit -> passages.add(Passage.fromHit((JsonObject) hit)));
        return new Retrieved(passages, Boolean.TRUE.equals(reply.getBoolean("partial")));
      });
  }

  /** Whether a failure of {@link #search} means the KB does not exist (the caller's mistake, not an outage). */
  static boolean notFound(Throwable failure) {
    return ErrorCode.of(failure) == ErrorCode.NOT_FOUND || ErrorCode.of(failure) == ErrorCode.INVALID_REQUEST;
  }
}
