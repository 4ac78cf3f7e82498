package io.ganglion.reflex.impl;

import io.ganglion.bus.AskStreams;
import io.ganglion.bus.ErrorCode;
import io.ganglion.orchestration.AskClient;
import io.ganglion.reflex.Inspector;
import io.ganglion.reflex.ReflexAnswer;
import io.ganglion.reflex.ReflexAsk;
import io.ganglion.reflex.cache.CacheKey;
import io.ganglion.reflex.cache.KbVersions;
import io.ganglion.reflex.cache.ResponseCache;
import io.ganglion.reflex.rules.Rule;
import io.ganglion.reflex.rules.RuleAction;
import io.ganglion.reflex.rules.RuleBook;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Optional;

/**
 * What stands between a question and the orchestrator: the reflex rules first (block, canned answer, or a new
 * target), then the response cache, then {@code ganglion.orchestrator.ask} on a miss. Questions in a stored
 * conversation ({@code conversationId}) are never cached; neither are failures, degraded answers (generator
 * {@code none}: retrieval was down) nor answers from a partial search. A node on the minority side of a split cluster
 * (below {@code cluster.minMembers}) serves and stores no cached answers at all. A cached answer of another reflex
 * policy is re-inspected before it is served ({@link Revalidation}).
 * <p>
 * <b>NOTE</b>: runs on the reflex verticle's event loop, like the cache and version map it uses.
 */
public final class AskGate {

  private final Vertx vertx;
  private final RuleBook rules;
  private final ResponseCache cache;
  private final KbVersions versions;
  private final MeterRegistry meters;
  private final java.util.function.BooleanSupplier quorate;
  private final Inspector inspector;

  /**
   * @param cache     {@code null} when the cache is disabled
   * @param quorate   whether this node's side of the cluster has its quorum (always, on a single node)
   * @param inspector re-inspects cached answers of another policy ({@link Revalidation})
   */
  public AskGate(Vertx vertx, RuleBook rules, ResponseCache cache, KbVersions versions, MeterRegistry meters,
                 java.util.function.BooleanSupplier quorate, Inspector inspector) {
    this.vertx = vertx;
    this.quorate = quorate;
    this.rules = rules;
    this.cache = cache;
    this.versions = versions;
    this.meters = meters;
    this.inspector = inspector;
  }

  /** The answer to {@code ask}; fails with the orchestrator's codes, or 4220 when a rule blocks the question. */
  public Future<ReflexAnswer> ask(ReflexAsk ask) {
    JsonObject request = ask.request();
    String kb = request.getValue("kb") instanceof String s ? s : "";
    if (!(request.getValue("question") instanceof String question)) {
      return orchestrate(ask, request, null);
    }
    Optional<Rule> rule = rules.first(kb, question);
    String routedBy = null;
    if (rule.isPresent()) {
      Rule r = rule.get();
      meters.counter("ganglion.reflex.rules", "rule", r.name(), "action", r.action().wireName()).increment();
      switch (r.action()) {
        case BLOCK -> {
          return Future.failedFuture(ErrorCode.UNPROCESSABLE.exception(r.message()));
        }
        case ANSWER -> {
          ReflexAnswer canned = CannedAnswers.of(r, question);
          replay(ask.stream(), canned, "rule", "answered");
          return Future.succeededFuture(canned);
        }
        case ROUTE -> {
          request = request.copy();
          if (r.kb() != null) {
            request.put("kb", r.kb());
          }
          if (r.generator() != null) {
            request.put("generator", r.generator());
          }
          routedBy = r.name();
        }
      }
    }
    if (cache == null || request.getValue("conversationId") != null || question.isBlank() || !quorate.getAsBoolean()) {
      return orchestrate(ask, request, routedBy);
    }
    return cached(ask, request, routedBy);
  }

  private Future<ReflexAnswer> cached(ReflexAsk ask, JsonObject request, String routedBy) {
    String tenant = request.getString("tenant");
    String kb = request.getString("kb");
    String tag = versions.known(tenant, kb);
    if (tag != null && !ask.refresh()) {
      ReflexAnswer hit = cache.cached(CacheKey.of(request, tag));
      if (hit != null) {
        replay(ask.stream(), hit, "cache", "hit");
        return Future.succeededFuture(routedBy == null ? hit : hit.as(ReflexAnswer.Source.CACHE, routedBy));
      }
    }
    JsonObject target = request;
    Future<String> version = tag != null ? Future.succeededFuture(tag) : versions.tag(tenant, kb);
    return version.transform(ar -> {
      if (ar.failed()) {
        // no such KB, or retrieval is down: the orchestrator answers as it would without a cache
        return orchestrate(ask, target, routedBy);
      }
      String key = CacheKey.of(target, ar.result());
      if (ask.refresh()) {
        return orchestrate(ask, target, routedBy).onSuccess(answer -> {
          if (cacheable(answer)) {
            cache.put(key, answer);
          }
        });
      }
      return cache.get(key, () -> orchestrate(ask, target, routedBy), AskGate::cacheable,
          stale -> Revalidation.check(inspector, target, stale))
        .onSuccess(answer -> {
          if (answer.source() == ReflexAnswer.Source.CACHE) {
            replay(ask.stream(), answer, "cache", "hit");
          }
        });
    });
  }

  /** Fresh orchestrator answers, but not degraded ones nor those built from a partial search. */
  private static boolean cacheable(ReflexAnswer answer) {
    return answer.source() == ReflexAnswer.Source.ORCHESTRATOR && !"none".equals(answer.json().getString("generator"))
      && !Boolean.TRUE.equals(answer.json().getBoolean("partial"));
  }

  private Future<ReflexAnswer> orchestrate(ReflexAsk ask, JsonObject request, String routedBy) {
    return AskClient.ask(vertx, request, ask.stream(), ask.timeoutMs())
      .map(answer -> ReflexAnswer.of(ReflexAnswer.Source.ORCHESTRATOR, routedBy, answer));
  }

  /**
   * Streams an answer that did not come from the orchestrator as the orchestrator would: one step ({@code cache} or
   * {@code rule}), the text as one token, then each citation; the caller's reply then carries the full answer.
   */
  private void replay(String stream, ReflexAnswer answer, String step, String status) {
    if (stream == null) {
      return;
    }
    JsonObject json = answer.json();
    var bus = vertx.eventBus();
    JsonObject stepData = new JsonObject().put("name", step).put("status", status).put("ms", 0)
      .put("traceId", json.getValue("traceId"));
    if (answer.rule() != null) {
      stepData.put("rule", answer.rule());
    }
    bus.send(stream, AskStreams.event(AskStreams.STEP, stepData));
    bus.send(stream, AskStreams.event(AskStreams.TOKEN, new JsonObject().put("text", json.getString("answer", ""))));
    var citations = json.getJsonArray("citations");
    if (citations != null) {
      for (int i = 0; i < citations.size(); i++) {
        bus.send(stream, AskStreams.event(AskStreams.CITATION, citations.getJsonObject(i)));
      }
    }
  }
}
