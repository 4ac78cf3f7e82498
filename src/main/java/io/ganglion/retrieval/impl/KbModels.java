package io.ganglion.retrieval.impl;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.ErrorCode;
import io.ganglion.store.KbRepository;
import io.ganglion.store.StoreCache;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * Which embedding model each knowledge base uses: the one it records ({@code kbs.embedding_model}), or the server's
 * default for knowledge bases made before models were recorded. Searches embed their query with it and ingestion its
 * chunks and sentences, so a query is never compared with vectors of another model.
 * <p>
 * The model of a KB id is cached for a few seconds (and served stale while PostgreSQL is down), and re-read at once when a {@code ganglion.retrieval.kb.changed}
 * event says the KB switched models (published cluster-wide by the node that switched), so every node moves together.
 * <p>
 * <b>NOTE</b>: call on the retrieval verticle's context.
 */
public final class KbModels {

  /** A model as a knowledge base records it. */
  public record ModelRef(String ref, int dims) {

    /** {@code {"model":"<name>@<version>","dims"}}. */
    public JsonObject toJson() {
      return new JsonObject().put("model", ref).put("dims", dims);
    }
  }

  private final Vertx vertx;
  private final KbRepository kbs;
  private final ModelRef fallback;
  private final long timeoutMs;
  /** Fresh for a few seconds; while PostgreSQL is down, the last read answers for up to an hour (as KB names do). */
  private final StoreCache<Long, KbRepository.Embedding> byKb = new StoreCache<>(Duration.ofSeconds(5),
    Duration.ofHours(1), 10_000);

  /**
   * @param fallback the server's default embedding model, for KBs that recorded none
   * @param timeoutMs deadline of the {@code ganglion.inference.models} look-up when a KB names a model
   */
  public KbModels(Vertx vertx, KbRepository kbs, ModelRef fallback, long timeoutMs) {
    this.vertx = vertx;
    this.kbs = kbs;
    this.fallback = fallback;
    this.timeoutMs = timeoutMs;
  }

  /**
   * A failure to embed with a knowledge base's {@code model}: when this node's inference does not have that model
   * (4040: loaded at runtime before this node started, or unloaded here), a 5031 that says so and names the node;
   * any other failure as it is.
   */
  public Throwable notLoadedHere(Throwable failure, String model) {
    if (ErrorCode.of(failure) != ErrorCode.NOT_FOUND) {
      return failure;
    }
    return ErrorCode.UNAVAILABLE.exception("the knowledge base's embedding model " + model + " is not loaded on node "
      + io.ganglion.cluster.Cluster.membership(vertx).self().id() + ": load it on every node (POST /v1/admin/models) "
      + "or list it in inference.models");
  }

  /** The default model, which a knowledge base created without naming one records. */
  public ModelRef fallback() {
    return fallback;
  }

  /** The model the knowledge base's vectors are made with. */
  public ModelRef recorded(KbRepository.Embedding embedding) {
    return embedding.model() == null ? fallback : new ModelRef(embedding.model(), embedding.dims());
  }

  /** The knowledge base's embedding settings, from a short cache. */
  public Future<KbRepository.Embedding> of(long kbId) {
    return byKb.get(kbId, id -> kbs.embedding(id).map(embedding -> embedding.model() == null
      ? new KbRepository.Embedding(fallback.ref(), fallback.dims(), embedding.sentenceVectors()) : embedding));
  }

  /** Forgets what is cached of {@code kbId} (its model changed, here or on another node). */
  public void forget(long kbId) {
    byKb.invalidate(kbId);
  }

  /**
   * Re-reads every cached KB on its next use (a change event that named a KB by tenant and name only), keeping what
   * was read as the fallback while PostgreSQL is down: an ingestion announcing its change must not make the searches
   * of a loaded index fail through the outage that follows.
   */
  public void forgetAll() {
    byKb.staleAll();
  }

  /**
   * The model a request names ({@code name} or {@code name@version}, loaded and of kind embedding), or the default
   * when {@code requested} is null; fails 4000 naming the loaded embedding models otherwise.
   */
  public Future<ModelRef> resolve(Object requested) {
    if (requested == null) {
      return Future.succeededFuture(fallback);
    }
    if (!(requested instanceof String name) || name.isBlank()) {
      return Future.failedFuture(ErrorCode.INVALID_REQUEST.exception("'model' must name an embedding model"));
    }
    return vertx.eventBus().<JsonObject>request(Addresses.INFERENCE_MODELS, new JsonObject(), Deadlines.within(timeoutMs))
      .compose(reply -> {
        JsonArray models = reply.body().getJsonArray("models", new JsonArray());
        StringBuilder known = new StringBuilder();
        for (int i = 0; i < models.size(); i++) {
          JsonObject m = models.getJsonObject(i);
          if (!"embedding".equals(m.getString("kind"))) {
            continue;
          }
          String ref = m.getString("ref");
          if (name.equals(ref) || name.equals(m.getString("name")) && Boolean.TRUE.equals(m.getBoolean("current"))) {
            return Future.succeededFuture(new ModelRef(ref, m.getInteger("dims", 0)));
          }
          known.append(known.isEmpty() ? "" : ", ").append(ref);
        }
        return Future.failedFuture(ErrorCode.INVALID_REQUEST.exception("no embedding model '" + name
          + "' is loaded; loaded: " + known));
      });
  }
}
