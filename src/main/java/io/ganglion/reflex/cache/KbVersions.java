package io.ganglion.reflex.cache;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The version tag of each knowledge base this node has answered from: {@code <createdAt>#<version>}, so a knowledge
 * base deleted and created again under the same name never shares cache entries with its predecessor. Learned once
 * per knowledge base from {@code ganglion.retrieval.kb.get} and then kept current by
 * {@code ganglion.retrieval.kb.changed}, which retrieval publishes to every node after every ingest and delete.
 * <p>
 * In a cluster a tag is trusted only for {@code leaseMs} after it was last confirmed — by a change event, a
 * {@code kb.get}, or retrieval's periodic sync ({@code ganglion.retrieval.kb.versions}). A node that missed a change
 * (partitioned, paused) thus stops answering from the old version by itself: {@link #known} no longer returns it and
 * {@link #tag} re-reads it. An ingest waits {@code cluster.invalidationWaitMs} (the lease) for every node's
 * acknowledgement, so when the writer hears back every node either has the new version or no longer trusts the old.
 * On a single node ({@code leaseMs} 0) tags never expire: every change goes through this node.
 * <p>
 * A change published on this node is applied while it is published ({@link #watch}: an outbound interceptor of the
 * event bus, on the publisher's thread), before retrieval acknowledges the change, so a reader on any thread of this
 * node never sees the old tag once the caller has heard back; the delivery to the consumer is then skipped (it carries
 * this instance's mark in {@value #APPLIED}). Changes published on other nodes arrive through the consumer.
 * <p>
 * <b>NOTE</b>: {@link #known}, {@link #changed} and {@link #confirmed} may run on any thread (the tags are a concurrent
 * map, and changes, syncs and the store of a look-up are ordered by a lock); {@link #tag} runs on the reflex verticle's event loop. A look-up
 * that was in flight while a change arrived is not kept (its answer may predate the change): {@link #generation}
 * tells them apart.
 */
public final class KbVersions {

  private record Tag(String value, long confirmedAt) {
  }

  private final Vertx vertx;
  private final long timeoutMs;
  private final long leaseMs;
  private final LongSupplier clock;
  /** Header a change applied at publication carries, with the applying instance's mark. */
  public static final String APPLIED = "x-ganglion-kb-applied";

  private final Map<String, Tag> tags = new ConcurrentHashMap<>();
  private final Map<String, Future<String>> loading = new HashMap<>();
  private final Object lock = new Object();
  private final String mark = java.util.UUID.randomUUID().toString();
  private long generation;
  private MessageConsumer<JsonObject> consumer;
  private final Handler<DeliveryContext<Object>> interceptor = this::intercept;

  /** @param leaseMs how long a confirmed tag is trusted; 0 = for ever (single node) */
  public KbVersions(Vertx vertx, long timeoutMs, long leaseMs) {
    this(vertx, timeoutMs, leaseMs, System::currentTimeMillis);
  }

  KbVersions(Vertx vertx, long timeoutMs, long leaseMs, LongSupplier clock) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.leaseMs = leaseMs;
    this.clock = clock;
  }

  /** The known tag if it is still trusted, or {@code null}. */
  public String known(String tenant, String kb) {
    Tag tag = tags.get(tenant + "/" + kb);
    return tag != null && trusted(tag) ? tag.value() : null;
  }

  /**
   * The tag, asking retrieval when it is not known or no longer trusted; fails as {@code kb.get} fails (4040 for no
   * such KB).
   */
  public Future<String> tag(String tenant, String kb) {
    String key = tenant + "/" + kb;
    String known = known(tenant, kb);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    Future<String> inFlight = loading.get(key);
    if (inFlight != null) {
      return inFlight;
    }
    long asked;
    synchronized (lock) {
      asked = generation;
    }
    long askedAt = clock.getAsLong();
    Future<String> load = vertx.eventBus().<JsonObject>request(Addresses.local(Addresses.RETRIEVAL_KB_GET),
        new JsonObject().put("tenant", tenant).put("name", kb), Deadlines.within(timeoutMs))
      .map(Message::body)
      .map(reply -> tag(reply.getString("createdAt"), reply.getValue("version")))
      .andThen(ar -> {
        loading.remove(key);
        synchronized (lock) {
          if (ar.succeeded() && asked == generation) {
            tags.put(key, new Tag(ar.result(), askedAt));
          }
        }
      });
    loading.put(key, load);
    return load;
  }

  /**
   * Applies a {@code ganglion.retrieval.kb.changed} event: {@code {"tenant","kb","createdAt"?,"version"?,
   * "deleted"?}}. With a version and creation time the new tag is known at once; otherwise it is forgotten and asked
   * for again on the next question.
   */
  public void changed(JsonObject event) {
    String key = event.getString("tenant") + "/" + event.getString("kb");
    Object version = event.getValue("version");
    String createdAt = event.getString("createdAt");
    synchronized (lock) {
      generation++;
      if (Boolean.TRUE.equals(event.getValue("deleted")) || version == null || createdAt == null) {
        tags.remove(key);
      } else {
        tags.put(key, new Tag(tag(createdAt, version), clock.getAsLong()));
      }
    }
  }

  /**
   * Applies a {@code ganglion.retrieval.kb.versions} sync: {@code {"asOf","kbs":{"<tenant>/<name>":tag}}}. Known tags
   * it confirms are trusted again from {@code asOf}; a tag it contradicts (a change this node was not told of) is
   * replaced; a knowledge base it no longer lists is forgotten.
   */
  public void confirmed(JsonObject sync) {
    long asOf = sync.getLong("asOf", 0L);
    JsonObject current = sync.getJsonObject("kbs", new JsonObject());
    synchronized (lock) {
      boolean changedAny = false;
      for (Map.Entry<String, Tag> entry : Map.copyOf(tags).entrySet()) {
        String now = current.getString(entry.getKey());
        if (now == null) {
          tags.remove(entry.getKey());
          changedAny = true;
        } else if (now.equals(entry.getValue().value())) {
          tags.put(entry.getKey(), new Tag(now, Math.max(asOf, entry.getValue().confirmedAt())));
        } else {
          tags.put(entry.getKey(), new Tag(now, asOf));
          changedAny = true;
        }
      }
      if (changedAny) {
        generation++;
      }
    }
  }

  /**
   * Keeps the tags current from {@code bus}: changes published on this node are applied as they are published,
   * the others as they arrive. Returns the consumer's registration future; call {@link #unwatch} at stop.
   */
  public Future<Void> watch(EventBus bus) {
    bus.addOutboundInterceptor(interceptor);
    consumer = bus.<JsonObject>consumer(Addresses.RETRIEVAL_KB_CHANGED, msg -> {
      if (!mark.equals(msg.headers().get(APPLIED))) {
        changed(msg.body());
      }
    });
    return consumer.completion();
  }

  /** Stops following changes. */
  public Future<Void> unwatch(EventBus bus) {
    bus.removeOutboundInterceptor(interceptor);
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  private <T> void intercept(DeliveryContext<T> delivery) {
    Message<T> message = delivery.message();
    if (Addresses.RETRIEVAL_KB_CHANGED.equals(message.address()) && message.body() instanceof JsonObject event) {
      changed(event);
      message.headers().add(APPLIED, mark);
    }
    delivery.next();
  }

  /** Knowledge bases whose tag is known. */
  public int size() {
    return tags.size();
  }

  private boolean trusted(Tag tag) {
    return leaseMs == 0 || clock.getAsLong() - tag.confirmedAt() < leaseMs;
  }

  private static String tag(String createdAt, Object version) {
    return createdAt + "#" + version;
  }
}
