package io.ganglion.orchestration.impl;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.orchestration.AskRequest;
import io.ganglion.orchestration.Sampling;
import io.ganglion.store.KbRepository;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The answer path's share of the warm-up before {@code /ready} reports ready: once retrieval's warm-up is over (this
 * node's copies loaded, every knowledge base probed), {@value #ASKS_PER_KB} extractive asks of each knowledge base run
 * through the whole pipeline except {@code persist} — reflex in, search, passage screening, the stored sentence
 * vectors, sentence scoring, the output guard — so the first real asks after a restart do not pay for the classes,
 * compiled code and first look-ups those steps load. A warm-up ask leaves no trace, conversation or cached answer; one
 * that fails is only counted. Bounded by the same budget as retrieval's ({@code retrieval.warmupMs}, from the start).
 * <p>
 * <b>NOTE</b>: call on the orchestrator's context.
 */
public final class AskWarmup {

  private static final Logger LOG = LoggerFactory.getLogger(AskWarmup.class);
  /** Asks per knowledge base: each loads what the one before did not reach (other passages, an answer, an abstention). */
  static final int ASKS_PER_KB = 3;
  /** At most this many knowledge bases are asked (the first ones listed); the rest only had retrieval's probe. */
  static final int MAX_KBS = 8;
  static final long POLL_MS = 100;
  static final List<String> QUESTIONS = List.of("What does the warm-up probe show?",
    "How is the effect of the treatment measured?", "Which cells are involved in the response?");

  private final Vertx vertx;
  private final AskPipeline pipeline;
  private final KbRepository kbs;
  private final long budgetMs;
  private long deadline;
  private boolean done;
  private int asked;
  private int failed;
  private String note = "";

  /** @param budgetMs {@code retrieval.warmupMs}; 0 skips the warm-up */
  public AskWarmup(Vertx vertx, AskPipeline pipeline, KbRepository kbs, long budgetMs) {
    this.vertx = vertx;
    this.pipeline = pipeline;
    this.kbs = kbs;
    this.budgetMs = budgetMs;
  }

  /** Starts warming in the background. */
  public void start() {
    long startedAt = System.currentTimeMillis();
    deadline = startedAt + budgetMs;
    if (budgetMs == 0) {
      finish("off (retrieval.warmupMs is 0)");
      return;
    }
    retrievalWarm()
      .compose(warm -> warm ? kbs.all() : Future.succeededFuture(List.<KbRepository.KbVersion>of()))
      .compose(all -> {
        List<KbRepository.Kb> visible = all.stream().map(KbRepository.KbVersion::kb)
          .filter(kb -> !kb.name().startsWith(KbRepository.HIDDEN)).limit(MAX_KBS).toList();
        Future<Void> chain = Future.succeededFuture();
        for (KbRepository.Kb kb : visible) {
          for (String question : QUESTIONS.subList(0, ASKS_PER_KB)) {
            chain = chain.compose(v -> ask(kb, question));
          }
        }
        return chain;
      })
      .onComplete(ar -> finish(ar.succeeded()
        ? asked + " warm-up asks (" + failed + " failed) in " + (System.currentTimeMillis() - startedAt) + " ms"
        : "stopped: " + ar.cause().getMessage()));
  }

  /** {@code {"status":"WARMING"|"UP","asked","failed","note"?}}. */
  public JsonObject describe() {
    JsonObject json = new JsonObject().put("status", done ? "UP" : "WARMING").put("asked", asked).put("failed", failed);
    return note.isEmpty() ? json : json.put("note", note);
  }

  private void finish(String why) {
    if (!done) {
      done = true;
      note = why;
      LOG.info("ask warm-up: {}", why);
    }
  }

  /**
   * Completes with true once this node's retrieval verticle reports its warm-up over, false without one or when the
   * budget ran out first.
   */
  private Future<Boolean> retrievalWarm() {
    if (System.currentTimeMillis() >= deadline) {
      return Future.succeededFuture(false);
    }
    return vertx.eventBus().<JsonObject>request(Addresses.RETRIEVAL_STATUS, new JsonObject(), Deadlines.localWithin(1000))
      .map(Message::body)
      .transform(ar -> {
        if (ar.failed() && ar.cause() instanceof io.vertx.core.eventbus.ReplyException re
          && re.failureType() == io.vertx.core.eventbus.ReplyFailure.NO_HANDLERS) {
          return Future.succeededFuture(false);
        }
        JsonObject warmup = ar.succeeded() ? ar.result().getJsonObject("warmup") : null;
        if (warmup != null && !"WARMING".equals(warmup.getString("status"))) {
          return Future.succeededFuture(true);
        }
        Promise<Boolean> later = Promise.promise();
        vertx.setTimer(POLL_MS, t -> retrievalWarm().onComplete(later));
        return later.future();
      });
  }

  private Future<Void> ask(KbRepository.Kb kb, String question) {
    if (System.currentTimeMillis() >= deadline) {
      return Future.failedFuture("out of time after " + asked + " asks");
    }
    AskRequest request = new AskRequest(kb.tenant(), kb.name(), question, null, List.of(), null,
      ExtractiveGenerator.NAME, null, Sampling.DEFAULT);
    return pipeline.warm(request).timeout(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS)
      .transform(ar -> {
        asked++;
        if (ar.failed()) {
          failed++;
          LOG.debug("warm-up ask of {} failed: {}", kb.name(), ar.cause().getMessage());
        }
        return Future.succeededFuture();
      });
  }
}
