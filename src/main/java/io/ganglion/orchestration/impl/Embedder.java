package io.ganglion.orchestration.impl;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ganglion.inference.EmbedClient;
import io.ganglion.inference.EmbedRequest;
import io.ganglion.inference.onnx.TextKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * The extractive generator's embeddings, through {@link EmbedClient}: L2-normalised vectors, so cosine similarity is a
 * dot product. Failures keep the inference verticle's code (5030 overloaded, 5031 unavailable).
 * <p>
 * Passage sentences embedded here (those without a vector stored at ingestion) are remembered by model and text:
 * popular passages come back ask after ask, so that work is done once. A sentence's vector depends only on its text
 * and the model, never on the knowledge base, so entries never go stale.
 */
final class Embedder {

  /** Sentence vectors kept (384 floats each for bge-small: about 2 KB with the key, so ~40 MB at most). */
  static final int PASSAGE_CACHE_ENTRIES = 20_000;

  private final EmbedClient client;
  private final Cache<String, float[]> passages; // null: remembers nothing (the start-up warm-up's, AskWarmup)

  Embedder(Vertx vertx) {
    this(EmbedClient.create(vertx), Caffeine.newBuilder().maximumSize(PASSAGE_CACHE_ENTRIES).build());
  }

  private Embedder(EmbedClient client, Cache<String, float[]> passages) {
    this.client = client;
    this.passages = passages;
  }

  /** An embedder on the same client that neither reads nor fills the sentence-vector cache (warm-up asks). */
  Embedder uncached() {
    return new Embedder(client, null);
  }

  /**
   * @param kind {@code query} for questions, {@code passage} for document text (asymmetric models embed them differently)
   * @param model the model ({@code name@version}), or null for inference's default
   */
  Future<float[][]> embed(List<String> texts, TextKind kind, String model, DeliveryOptions hop) {
    if (kind != TextKind.PASSAGE || passages == null) {
      return remote(texts, kind, model, hop);
    }
    String prefix = (model == null ? "" : model) + '\u0000';
    float[][] out = new float[texts.size()][];
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < out.length; i++) {
      out[i] = passages.getIfPresent(prefix + texts.get(i));
      if (out[i] == null) {
        missing.add(i);
      }
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture(out);
    }
    return remote(missing.stream().map(texts::get).toList(), kind, model, hop).map(vectors -> {
      for (int j = 0; j < vectors.length; j++) {
        int i = missing.get(j);
        out[i] = vectors[j];
        passages.put(prefix + texts.get(i), vectors[j]);
      }
      return out;
    });
  }

  private Future<float[][]> remote(List<String> texts, TextKind kind, String model, DeliveryOptions hop) {
    return client.vectors(new EmbedRequest(texts, kind, model), hop.getSendTimeout())
      .map(vectors -> vectors.toArray(float[][]::new));
  }
}
