package io.ganglion.http.limits;

import io.ganglion.bus.ErrorCode;
import io.ganglion.config.HttpConfig;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.RoutingContext;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load shedding at the HTTP edge: at most {@code http.inFlight.<class>} requests of each class (asks, searches,
 * ingestions, embeddings) are in flight on this node at once, over all HTTP verticle instances; one more is refused
 * at once with 503 {@code overloaded} and {@code Retry-After} (in OpenAI's shape on OpenAI routes, by
 * {@link io.ganglion.http.ErrorResponder}) instead of queueing behind work the server cannot finish within the
 * deadline. A request holds its place from admission until its response ends or its connection closes. An ask that
 * the answer cache serves on the event loop takes no place ({@link #admit} is called only for the rest), so cache
 * hits keep their fast path under overload.
 * <p>
 * The count is node-wide: one instance per Vert.x instance ({@link #of}), shared by the HTTP verticle instances
 * through a local map; its counters are atomics because those instances run on different event loops. Vert.x has no
 * concurrency limit of its own for routes ({@code HttpServerOptions} caps connections, not requests), hence this.
 */
public final class EdgeAdmission implements Shareable, Handler<RoutingContext> {

  /** The classes of work counted separately (each has its own limit). */
  public enum Kind {
    ASK("asks"), SEARCH("searches"), INGEST("ingestions"), EMBED("embedding requests");

    private final String noun;

    Kind(String noun) {
      this.noun = noun;
    }
  }

  private static final String MAP = "ganglion.http.admission";

  private final Map<Kind, Integer> limits;
  private final Map<Kind, AtomicInteger> inFlight = new EnumMap<>(Kind.class);

  public EdgeAdmission(Map<Kind, Integer> limits) {
    this.limits = Map.copyOf(limits);
    for (Kind kind : Kind.values()) {
      if (!limits.containsKey(kind)) {
        throw new IllegalArgumentException("no limit for " + kind);
      }
      inFlight.put(kind, new AtomicInteger());
    }
  }

  /** The node's admission, created on first use from {@code http.inFlight.*}. */
  public static EdgeAdmission of(Vertx vertx, HttpConfig.InFlight limits) {
    return (EdgeAdmission) vertx.sharedData().getLocalMap(MAP).computeIfAbsent("admission",
      k -> new EdgeAdmission(Map.of(Kind.ASK, limits.asks(), Kind.SEARCH, limits.searches(),
        Kind.INGEST, limits.ingestions(), Kind.EMBED, limits.embeddings())));
  }

  /**
   * Takes a place for a request of {@code kind}, or refuses it: {@code true} if admitted (the caller must
   * {@link #release} it exactly once), {@code false} if {@code kind} already has its limit in flight.
   */
  public boolean tryAcquire(Kind kind) {
    AtomicInteger count = inFlight.get(kind);
    int limit = limits.get(kind);
    while (true) {
      int now = count.get();
      if (now >= limit) {
        return false;
      }
      if (count.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Gives back a place taken by {@link #tryAcquire}. */
  public void release(Kind kind) {
    inFlight.get(kind).decrementAndGet();
  }

  /** Requests of {@code kind} in flight now. */
  public int inFlight(Kind kind) {
    return inFlight.get(kind).get();
  }

  /** The limit of {@code kind}. */
  public int limit(Kind kind) {
    return limits.get(kind);
  }

  /**
   * Admits the request of {@code ctx} as {@code kind}, holding its place until the response ends or the connection
   * closes; or fails the route with 503 {@code overloaded} (Retry-After). Returns whether it was admitted.
   */
  public boolean admit(RoutingContext ctx, Kind kind) {
    if (!tryAcquire(kind)) {
      ctx.fail(ErrorCode.OVERLOADED.exception("the server is overloaded: " + limit(kind) + " " + kind.noun
        + " are in flight on this node (http.inFlight); retry shortly"));
      return false;
    }
    AtomicInteger once = new AtomicInteger();
    ctx.addEndHandler(ar -> {
      if (once.getAndIncrement() == 0) {
        release(kind);
      }
    });
    return true;
  }

  /**
   * The class of a request, by route, or {@code null} for routes not counted here. Asks
   * ({@code POST /v1/kbs/{kb}/ask}, {@code POST /v1/chat/completions}) are not classed here: their routes call
   * {@link #admit} after the cache look-up.
   */
  static Kind classify(HttpMethod method, String path) {
    if (method != HttpMethod.POST || path == null) {
      return null;
    }
    if (path.equals("/v1/embeddings")) {
      return Kind.EMBED;
    }
    if (path.startsWith("/v1/kbs/")) {
      String rest = path.substring("/v1/kbs/".length());
      int slash = rest.indexOf('/');
      if (slash > 0) {
        String tail = rest.substring(slash);
        if (tail.equals("/search")) {
          return Kind.SEARCH;
        }
        if (tail.equals("/documents")) {
          return Kind.INGEST;
        }
      }
    }
    return null;
  }

  /** The router handler for searches, ingestions and embeddings; other requests pass. */
  @Override
  public void handle(RoutingContext ctx) {
    Kind kind = classify(ctx.request().method(), ctx.request().path());
    if (kind == null || admit(ctx, kind)) {
      ctx.next();
    }
  }
}
