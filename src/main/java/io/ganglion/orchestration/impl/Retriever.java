package io.ganglion.orchestration.impl;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Clients of {@code ganglion.retrieval.search} and of the optional {@code ganglion.inference.rerank}.
 */
final class Retriever {

  private final Vertx vertx;

  Retriever(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The hits, best first. Fails with the retrieval verticle's failure (4040 no such KB, 5031, timeout...). */
  Future<List<Passage>> search(String tenant, String kb, String query, int k, String mode, JsonObject filter,
                               DeliveryOptions hop) {
    JsonObject request = new JsonObject().put("tenant", tenant).put("kb", kb).put("query", query).put("k", k)
      .put("mode", mode);
    if (filter != null) {
      request.put("filter", filter);
    }
    return vertx.eventBus().<JsonObject>request(Addresses.RETRIEVAL_SEARCH, request, hop)
      .map(Message::body)
      .map(reply -> {
        List<Passage> passages = new ArrayList<>();
        reply.getJsonArray("hits", new JsonArray()).forEach(hit -> passages.add(Passage.fromHit((JsonObject) hit)));
        return passages;
      });
  }

  /** Whether a failure of {@link #search} means the KB does not exist (the caller's mistake, not an outage). */
  static boolean notFound(Throwable failure) {
    return ErrorCode.of(failure) == ErrorCode.NOT_FOUND || ErrorCode.of(failure) == ErrorCode.INVALID_REQUEST;
  }

  /**
   * Re-scores passages with a cross-encoder: {@code {"query","texts"}} to {@code {"scores"}} (one per text). Empty when
   * no reranker is deployed.
   */
  Future<Optional<List<Passage>>> rerank(String query, List<Passage> passages, DeliveryOptions hop) {
    JsonObject request = new JsonObject().put("query", query)
      .put("texts", new JsonArray(passages.stream().map(Passage::text).toList()));
    return vertx.eventBus().<JsonObject>request(Addresses.INFERENCE_RERANK, request, hop)
      .map(Message::body)
      .map(reply -> {
        JsonArray scores = reply.getJsonArray("scores", new JsonArray());
        if (scores.size() != passages.size()) {
          throw ErrorCode.INTERNAL.exception("rerank replied " + scores.size() + " scores for " + passages.size() + " texts");
        }
        List<Passage> rescored = new ArrayList<>();
        for (int i = 0; i < passages.size(); i++) {
          rescored.add(passages.get(i).withScore(scores.getNumber(i).doubleValue()));
        }
        rescored.sort(Comparator.comparingDouble(Passage::score).reversed());
        return Optional.of(rescored);
      })
      .recover(failure -> failure instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
        ? Future.succeededFuture(Optional.empty())
        : Future.failedFuture(failure));
  }
}
