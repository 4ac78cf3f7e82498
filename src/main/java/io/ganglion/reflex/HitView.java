package io.ganglion.reflex;

import io.ganglion.reflex.cache.CacheKey;
import io.ganglion.reflex.cache.KbVersions;
import io.ganglion.reflex.cache.ResponseCache;
import io.ganglion.reflex.rules.RuleBook;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The reflex verticle's response cache as the HTTP edge of the same node reads it: a cache hit served on the caller's
 * event loop, without the hop to the reflex verticle and back (that hop — two thread hand-offs, the bus's interceptors
 * and metrics — cost more than everything else a cached ask does). Only the plain case is served here: no rule matches
 * the question, the node has its cluster quorum, the knowledge base's version is known (and still trusted, in a
 * cluster), and the in-process entry was computed under the current
 * policy; anything else ({@code null}) goes over {@code ganglion.reflex.ask.local} as before.
 * <p>
 * <b>NOTE</b>: read-only and thread-safe: the rule list is swapped atomically, the version tags are a concurrent map
 * kept current at publication ({@link KbVersions#watch}), the entries live in Caffeine. Published in the node's local
 * shared data by the reflex verticle while it runs.
 */
final class HitView implements Shareable {

  private static final String MAP = "ganglion.reflex";
  private static final String KEY = "hits";

  private final RuleBook rules;
  private final KbVersions versions;
  private final ResponseCache cache;
  private final Timer latency;
  private final BooleanSupplier quorate;

  /** @param quorate whether this node's side of the cluster has its quorum: below it no cached answer is served */
  HitView(RuleBook rules, KbVersions versions, ResponseCache cache, Timer latency, BooleanSupplier quorate) {
    this.quorate = quorate;
    this.rules = rules;
    this.versions = versions;
    this.cache = cache;
    this.latency = latency;
  }

  /** The view the reflex verticle of this node publishes, or {@code null} without one (or without a cache). */
  static HitView of(Vertx vertx) {
    return (HitView) vertx.sharedData().<String, Object>getLocalMap(MAP).get(KEY);
  }

  void publish(Vertx vertx) {
    vertx.sharedData().<String, Object>getLocalMap(MAP).put(KEY, this);
  }

  void withdraw(Vertx vertx) {
    LocalMap<String, Object> map = vertx.sharedData().getLocalMap(MAP);
    map.remove(KEY, this);
  }

  /** The cached answer to {@code request} ({@code ganglion.orchestrator.ask} shape), or {@code null}. */
  ReflexAnswer hit(JsonObject request) {
    return hit(request, null);
  }

  /** As {@link #hit(JsonObject)}, with the request's key memo ({@code null}: keyed afresh). */
  ReflexAnswer hit(JsonObject request, CacheKey.Memo keys) {
    long started = System.nanoTime();
    if (!(request.getValue("question") instanceof String question) || question.isBlank()
      || request.getValue("conversationId") != null || !(request.getValue("kb") instanceof String kb)
      || !(request.getValue("tenant") instanceof String tenant) || !quorate.getAsBoolean()) {
      return null;
    }
    if (rules.first(kb, question).isPresent()) {
      return null;
    }
    String tag = versions.known(tenant, kb);
    if (tag == null) {
      return null;
    }
    ReflexAnswer hit = cache.cached(keys == null ? CacheKey.of(request, tag) : keys.of(request, tag));
    if (hit != null) {
      latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
    return hit;
  }
}
