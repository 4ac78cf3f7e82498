package io.ganglion.retrieval.impl;

import io.ganglion.bus.ErrorCode;
import io.ganglion.retrieval.shard.ChangeBroadcast;
import io.ganglion.store.DocumentRepository;
import io.ganglion.store.JobRepository;
import io.ganglion.store.KbRepository;
import io.ganglion.store.StoreCache;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The knowledge bases of all tenants as this node knows them: create, list, describe and delete, the lookup every
 * KB-scoped request starts with ({@link #lookup}), the count of documents accepted but not yet stored, and the
 * announcement of every change ({@link #announce}) that tells the shards' owners and every node's caches a knowledge
 * base moved on ({@link ChangeBroadcast}).
 * <p>
 * A knowledge base is created with {@code retrieval.shards} shards, its count for good; creating it returns once the
 * owners of its shards hold active (empty) copies, so a search through any node right after finds it.
 * <p>
 * <b>NOTE</b>: call on the retrieval verticle's context; the pending counts are not synchronised.
 */
public final class KbRegistry {

  /** Knowledge-base names: lower-case letters, digits, '_' and '-', starting with a letter or digit, 1–63 long. */
  public static final Pattern KB_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  private final KbRepository kbs;
  private final DocumentRepository documents;
  private final JobRepository jobs;
  private final ChangeBroadcast broadcast;
  private final int shards;
  /** Documents accepted but not yet stored, per knowledge base id (for the {@code pending} count). */
  private final Map<Long, Integer> pending = new HashMap<>();
  /**
   * (tenant, name) → kb; ids are never reused, and deletes here invalidate at once. Re-read after 5 s; while
   * PostgreSQL is unavailable a name read in the last hour still resolves (nothing can be deleted meanwhile), so
   * searches and cached answers of known knowledge bases keep working through an outage.
   */
  private final StoreCache<String, KbRepository.Kb> cache = new StoreCache<>(Duration.ofSeconds(5), Duration.ofHours(1),
    10_000);

  private final KbModels models;

  /** @param shards {@code retrieval.shards}: the shard count of knowledge bases created from now on */
  public KbRegistry(KbRepository kbs, DocumentRepository documents, JobRepository jobs, ChangeBroadcast broadcast,
                    int shards, KbModels models) {
    this.jobs = jobs;
    this.models = models;
    this.kbs = kbs;
    this.documents = documents;
    this.broadcast = broadcast;
    this.shards = shards;
  }

  /**
   * Creates the tenant's knowledge base {@code {"tenant","name","model"?,"sentenceVectors"?}}: {@code model} names a
   * loaded embedding model (default: {@code inference.defaultModel}), recorded as {@code name@version} with its
   * dimensions; {@code sentenceVectors} (default true) makes ingestion store each chunk's sentence vectors. A taken
   * name fails with the repository's conflict.
   */
  public Future<JsonObject> create(JsonObject body) {
    String name = body.getString("name");
    if (name == null || !KB_NAME.matcher(name).matches()) {
      throw ErrorCode.INVALID_REQUEST.exception("invalid knowledge base name '" + name
        + "': use 1-63 lower-case letters, digits, '_' or '-', starting with a letter or digit");
    }
    Object sentences = body.getValue("sentenceVectors", true);
    if (!(sentences instanceof Boolean keep)) {
      throw ErrorCode.INVALID_REQUEST.exception("'sentenceVectors' must be true or false");
    }
    String tenant = tenant(body);
    return models.resolve(body.getValue("model"))
      .compose(model -> kbs.create(tenant, name, shards, model.ref(), model.dims(), keep)
        .compose(kb -> broadcast.created(kb).map(v -> json(kb).put("documents", 0).put("chunks", 0).put("pending", 0)
          .put("embedding", model.toJson().put("sentenceVectors", keep)))));
  }

  public Future<JsonObject> list(JsonObject body) {
    return kbs.list(tenant(body))
      .map(list -> new JsonObject().put("kbs", new JsonArray(list.stream().map(KbRegistry::json).toList())));
  }

  /**
   * The knowledge base with its document, chunk and pending counts, its version and shard count; pending counts the
   * documents this node is ingesting and those of unfinished jobs on any node.
   */
  public Future<JsonObject> describe(JsonObject body) {
    return lookup(body).compose(kb -> Future.all(documents.counts(kb.id()), kbs.embedding(kb.id()),
        jobs.pendingDocuments(kb.id())).map(all -> {
      DocumentRepository.Counts counts = all.resultAt(0);
      KbRepository.Embedding embedding = all.resultAt(1);
      int queued = all.<Number>resultAt(2).intValue();
      return json(kb).put("documents", counts.documents()).put("chunks", counts.chunks())
        .put("version", counts.version()).put("shards", kb.shards())
        .put("pending", pending.getOrDefault(kb.id(), 0) + queued)
        .put("embedding", models.recorded(embedding).toJson().put("sentenceVectors", embedding.sentenceVectors()));
    }));
  }

  /** Deletes the knowledge base and announces it deleted: every node drops its copies. */
  public Future<JsonObject> delete(JsonObject body) {
    return lookup(body).compose(kb -> kbs.delete(kb.tenant(), kb.name())
      .compose(deleted -> {
        cache.invalidate(key(kb.tenant(), kb.name()));
        return broadcast.deleted(kb);
      })
      .map(v -> new JsonObject().put("deleted", kb.name())));
  }

  /**
   * The knowledge base a request names ({@code "kb"}, or {@code "name"}) for its {@code "tenant"}; fails 4040 when the
   * tenant has none of that name, and throws 4000 without a tenant.
   */
  public Future<KbRepository.Kb> lookup(JsonObject body) {
    String tenant = tenant(body);
    Object name = body.getValue("kb", body.getValue("name"));
    if (!(name instanceof String n) || !KB_NAME.matcher(n).matches()) {
      return Future.failedFuture(ErrorCode.NOT_FOUND.exception("no knowledge base named '" + name + "'"));
    }
    return cache.get(key(tenant, n), k -> kbs.get(tenant, n).map(kb -> kb.orElse(null))).compose(kb -> kb != null
      ? Future.succeededFuture(kb)
      : Future.failedFuture(ErrorCode.NOT_FOUND.exception("no knowledge base named '" + n + "'")));
  }

  /**
   * Applies a {@code ganglion.retrieval.kb.changed} event from any node: a deleted knowledge base is forgotten at
   * once, so a request through this node right after the delete answers 404 rather than searching copies that are gone;
   * so is one whose name now resolves to another id ({@code switched}: its model changed).
   */
  public void changed(JsonObject event) {
    if (Boolean.TRUE.equals(event.getValue("deleted")) || Boolean.TRUE.equals(event.getValue("switched"))) {
      cache.invalidate(key(event.getString("tenant"), event.getString("kb")));
    }
  }

  /** Counts {@code count} documents of the knowledge base as accepted and not yet stored. */
  void accepted(long kbId, int count) {
    pending.merge(kbId, count, Integer::sum);
  }

  /** Counts {@code count} accepted documents as settled (stored or failed). */
  void settled(long kbId, int count) {
    pending.merge(kbId, -count, (a, b) -> a + b == 0 ? null : a + b);
  }

  /**
   * Announces a change of the knowledge base before the caller hears of it: {@code shards} maps each changed shard to
   * the version after its last change; its owners apply it, and every node's caches learn the new version
   * ({@link ChangeBroadcast#changed}). Never fails: without the version the caches forget what they knew.
   */
  public Future<Void> announce(KbRepository.Kb kb, Map<Integer, Long> shards) {
    return documents.counts(kb.id())
      .map(counts -> (Long) counts.version())
      .otherwise((Long) null)
      .compose(version -> broadcast.changed(kb, version, shards))
      .otherwise((Void) null);
  }

  /** The request's {@code "tenant"}; throws 4000 when it is missing or blank. */
  public static String tenant(JsonObject body) {
    if (!(body.getValue("tenant") instanceof String tenant) || tenant.isBlank()) {
      throw ErrorCode.INVALID_REQUEST.exception("'tenant' is required");
    }
    return tenant;
  }

  private static String key(String tenant, String name) {
    return tenant + "/" + name;
  }

  private static JsonObject json(KbRepository.Kb kb) {
    return new JsonObject().put("name", kb.name()).put("createdAt", kb.createdAt().toString());
  }
}
