package io.ganglion.reflex.cache;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * The version tag of each knowledge base this node has answered from: {@code <createdAt>#<version>}, so a knowledge
 * base deleted and created again under the same name never shares cache entries with its predecessor. Learned once
 * per knowledge base from {@code ganglion.retrieval.kb.get} and then kept current by
 * {@code ganglion.retrieval.kb.changed}, which retrieval publishes after every ingest and delete.
 * <p>
 * <b>NOTE</b>: confined to the reflex verticle's event loop. A look-up that was in flight while a change arrived is
 * not kept (its answer may predate the change): {@link #generation} tells them apart.
 */
public final class KbVersions {

  private final Vertx vertx;
  private final long timeoutMs;
  private final Map<String, String> tags = new HashMap<>();
  private final Map<String, Future<String>> loading = new HashMap<>();
  private long generation;

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
    long asked = generation;
    Future<String> load = vertx.eventBus().<JsonObject>request(Addresses.RETRIEVAL_KB_GET,
        new JsonObject().put("tenant", tenant).put("name", kb), Deadlines.within(timeoutMs))
      .map(Message::body)
      .map(reply -> tag(reply.getString("createdAt"), reply.getValue("version")))
      .andThen(ar -> {
        loading.remove(key);
        if (ar.succeeded() && asked == generation) {
          tags.put(key, ar.result());
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
    generation++;
    String key = event.getString("tenant") + "/" + event.getString("kb");
    Object version = event.getValue("version");
    String createdAt = event.getString("createdAt");
    if (Boolean.TRUE.equals(event.getValue("deleted")) || version == null || createdAt == null) {
      tags.remove(key);
    } else {
      tags.put(key, tag(createdAt, version));
    }
  }

  /** Knowledge bases whose tag is known. */
  public int size() {
    return tags.size();
  }

  private static String tag(String createdAt, Object version) {
    return createdAt + "#" + version;
  }
}
