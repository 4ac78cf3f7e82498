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

/**
 * The version tag of each knowledge base this node has answered from: {@code <createdAt>#<version>}, so a knowledge
 * base deleted and created again under the same name never shares cache entries with its predecessor. Learned once
 * per knowledge base from {@code ganglion.retrieval.kb.get} and then kept current by
 * {@code ganglion.retrieval.kb.changed}, which retrieval publishes after every ingest and delete.
 * <p>
 * A change published on this node is applied while it is published ({@link #watch}: an outbound interceptor of the
 * event bus, on the publisher's thread), before retrieval acknowledges the change, so a reader on any thread of this
 * node never sees the old tag once the caller has heard back; the delivery to the consumer is then skipped (it carries
 * this instance's mark in {@value #APPLIED}). Changes published on other nodes arrive through the consumer.
 * <p>
 * <b>NOTE</b>: {@link #known} and {@link #changed} may run on any thread (the tags are a concurrent map, and a change
 * and the store of a look-up are ordered by a lock); {@link #tag} runs on the reflex verticle's event loop. A look-up
 * that was in flight while a change arrived is not kept (its answer may predate the change): {@link #generation}
 * tells them apart.
 */
public final class KbVersions {

  private final Vertx vertx;
  private final long timeoutMs;
  /** Header a change applied at publication carries, with the applying instance's mark. */
  public static final String APPLIED = "x-ganglion-kb-applied";

  private final Map<String, String> tags = new ConcurrentHashMap<>();
  private final Map<String, Future<String>> loading = new HashMap<>();
  private final Object lock = new Object();
  private final String mark = java.util.UUID.randomUUID().toString();
  private long generation;
  private MessageConsumer<JsonObject> consumer;
  private final Handler<DeliveryContext<Object>> interceptor = this::intercept;

  public KbVersions(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  /** The known tag, or {@code null}. */
  public String known(String tenant, String kb) {
    return tags.get(tenant + "/" + kb);
  }

  /** The tag, asking retrieval when it is not known; fails as {@code kb.get} fails (4040 for no such KB). */
  public Future<String> tag(String tenant, String kb) {
    String key = tenant + "/" + kb;
    String tag = tags.get(key);
    if (tag != null) {
      return Future.succeededFuture(tag);
    }
    Future<String> inFlight = loading.get(key);
    if (inFlight != null) {
      return inFlight;
    }
    long asked;
    synchronized (lock) {
      asked = generation;
    }
    Future<String> load = vertx.eventBus().<JsonObject>request(Addresses.RETRIEVAL_KB_GET,
        new JsonObject().put("tenant", tenant).put("name", kb), Deadlines.within(timeoutMs))
      .map(Message::body)
      .map(reply -> tag(reply.getString("createdAt"), reply.getValue("version")))
      .andThen(ar -> {
        loading.remove(key);
        synchronized (lock) {
          if (ar.succeeded() && asked == generation) {
            tags.put(key, ar.result());
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
        tags.put(key, tag(createdAt, version));
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

  private static String tag(String createdAt, Object version) {
    return createdAt + "#" + version;
  }
}
