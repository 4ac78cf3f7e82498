package io.ganglion.retrieval.impl;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.ganglion.store.DocumentRepository;
import io.ganglion.store.KbRepository;
import io.ganglion.store.StoreCache;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The knowledge bases of all tenants as this node knows them: create, list, describe and delete, the lookup every
 * KB-scoped request starts with ({@link #lookup}), the count of documents accepted but not yet stored, and the
 * {@code ganglion.retrieval.kb.changed} events that tell caches a knowledge base moved on.
 * <p>
 * {@link #lookup} is the seam for shard ownership: it is the one place a request turns a (tenant, name) into the
 * knowledge base it will read or write, so that is where the owners of the knowledge base's shards get resolved.
 * <p>
 * <b>NOTE</b>: call on the retrieval verticle's context; the pending counts are not synchronised.
 */
public final class KbRegistry {

  /** Knowledge-base names: lower-case letters, digits, '_' and '-', starting with a letter or digit, 1–63 long. */
  public static final Pattern KB_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  private final Vertx vertx;
  private final KbRepository kbs;
  private final DocumentRepository documents;
  private final KbIndexes indexes;
  /** Documents accepted but not yet stored, per knowledge base id (for the {@code pending} count). */
  private final Map<Long, Integer> pending = new HashMap<>();
  /**
   * (tenant, name) → kb; ids are never reused, and deletes here invalidate at once. Re-read after 5 s; while
   * PostgreSQL is unavailable a name read in the last hour still resolves (nothing can be deleted meanwhile), so
   * searches and cached answers of known knowledge bases keep working through an outage.
   */
  private final StoreCache<String, KbRepository.Kb> cache = new StoreCache<>(Duration.ofSeconds(5), Duration.ofHours(1),
    10_000);

  public KbRegistry(Vertx vertx, KbRepository kbs, DocumentRepository documents, KbIndexes indexes) {
    this.vertx = vertx;
    this.kbs = kbs;
    this.documents = documents;
    this.indexes = indexes;
  }

  /** Creates the tenant's knowledge base {@code {"tenant","name"}}; a taken name fails with the repository's conflict. */
  public Future<JsonObject> create(JsonObject body) {
    String name = body.getString("name");
    if (name == null || !KB_NAME.matcher(name).matches()) {
      throw ErrorCode.INVALID_REQUEST.exception("invalid knowledge base name '" + name
        + "': use 1-63 lower-case letters, digits, '_' or '-', starting with a letter or digit");
    }
    return kbs.create(tenant(body), name).map(kb -> json(kb).put("documents", 0).put("chunks", 0).put("pending", 0));
  }

  public Future<JsonObject> list(JsonObject body) {
    return kbs.list(tenant(body))
      .map(list -> new JsonObject().put("kbs", new JsonArray(list.stream().map(KbRegistry::json).toList())));
  }

  /** The knowledge base with its document, chunk and pending counts and its version. */
  public Future<JsonObject> describe(JsonObject body) {
    return lookup(body).compose(kb -> documents.counts(kb.id()).map(counts -> json(kb)
      .put("documents", counts.documents()).put("chunks", counts.chunks()).put("version", counts.version())
      .put("pending", pending.getOrDefault(kb.id(), 0))));
  }

  /** Deletes the knowledge base, announces it deleted and drops its index. */
  public Future<JsonObject> delete(JsonObject body) {
    return lookup(body).compose(kb -> kbs.delete(kb.tenant(), kb.name())
      .compose(deleted -> {
        cache.invalidate(key(kb.tenant(), kb.name()));
        vertx.eventBus().publish(Addresses.RETRIEVAL_KB_CHANGED, changed(kb).put("deleted", true));
        return indexes.drop(kb.id());
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

  /** Counts {@code count} documents of the knowledge base as accepted and not yet stored. */
  void accepted(long kbId, int count) {
    pending.merge(kbId, count, Integer::sum);
  }

  /** Counts {@code count} accepted documents as settled (stored or failed). */
  void settled(long kbId, int count) {
    pending.merge(kbId, -count, (a, b) -> a + b == 0 ? null : a + b);
  }

  /**
   * Publishes {@code ganglion.retrieval.kb.changed} with the knowledge base's new version, before the change is
   * acknowledged, so caches on this node never answer from the old version once the caller has heard back. Never
   * fails: without the version the event still tells caches to forget what they knew.
   */
  public Future<Void> announce(KbRepository.Kb kb) {
    return documents.counts(kb.id())
      .map(counts -> changed(kb).put("version", counts.version()))
      .otherwise(failure -> changed(kb))
      .map(event -> {
        vertx.eventBus().publish(Addresses.RETRIEVAL_KB_CHANGED, event);
        return null;
      });
  }

  /** {@link #announce} for a knowledge base known by id (a resumed job); nothing when it is gone. */
  public Future<Void> announceById(long kbId) {
    return kbs.byId(kbId).compose(kb -> kb.map(this::announce).orElseGet(Future::succeededFuture))
      .otherwise(failure -> null);
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

  private static JsonObject changed(KbRepository.Kb kb) {
    return new JsonObject().put("tenant", kb.tenant()).put("kb", kb.name()).put("createdAt", kb.createdAt().toString());
  }

  private static JsonObject json(KbRepository.Kb kb) {
    return new JsonObject().put("name", kb.name()).put("createdAt", kb.createdAt().toString());
  }
}
