package io.ganglion.orchestration.impl;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.ganglion.bus.Vectors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Client of {@code ganglion.inference.embed}: {@code {"texts","kind"}} to L2-normalised vectors, so cosine
 * similarity is a dot product. Failures keep the inference verticle's code (5030 overloaded, 5031 unavailable).
 */
final class Embedder {

  private final Vertx vertx;

  Embedder(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * @param kind {@code query} for questions, {@code passage} for document text (asymmetric models embed them differently)
   */
  Future<float[][]> embed(List<String> texts, String kind, DeliveryOptions hop) {
    JsonObject request = new JsonObject().put("texts", new JsonArray(List.copyOf(texts))).put("kind", kind);
    return vertx.eventBus().<JsonObject>request(Addresses.INFERENCE_EMBED, request, hop)
      .map(Message::body)
      .compose(reply -> {
        JsonArray vectors = reply.getJsonArray("vectors");
        if (vectors == null || vectors.size() != texts.size()) {
          return Future.failedFuture(ErrorCode.INTERNAL.exception("embed replied " + (vectors == null ? "no" : vectors.size())
            + " vectors for " + texts.size() + " texts"));
        }
        return Future.succeededFuture(Vectors.allFromJson(vectors).toArray(float[][]::new));
      });
  }
}
