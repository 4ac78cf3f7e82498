package io.ganglion.orchestration.impl;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.orchestration.AskRequest;
import io.ganglion.orchestration.Sampling;
import io.ganglion.store.KbRepository;
import io.ganglion.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The answer path's share of the warm-up before {@code /ready} reports ready: once retrieval's warm-up is over (this
 * node's copies loaded, every knowledge base probed), {@value #ASKS_PER_KB} extractive asks of each of the first
 * {@value #MAX_KBS} knowledge bases run through {@link AskPipeline#warm}: the ask's searches (hybrid, the ask's
 * {@code topK}), the stored sentence vectors read from PostgreSQL, the query embedded, sentence scoring, abstention and
 * the groundedness check, so the first real asks after a restart do not pay for the classes, compiled code, first
 * index look-ups and prepared statements those steps load. A warm-up ask leaves nothing behind (see
 * {@link AskPipeline#warm}); one that fails is only counted. Beside them, the PostgreSQL pool's connections are all
 * opened ({@link Stores#open}): the warm-up's statements run one at a time and leave fewer open than a real ask's
 * concurrent ones need, and each connection the pool opens later costs that request a PostgreSQL backend's start.
 * <p>
 * Bounded: by the same budget as retrieval's ({@code retrieval.warmupMs}, from the start), each ask by
 * {@value #ASK_TIMEOUT_MS} ms, and it gives up after {@value #MAX_FAILURES} failed asks in a row (PostgreSQL or
 * retrieval unavailable): a dependency that is down never keeps the node warming, and {@code /ready} reports
 * dependencies on their own.
 * <p>
 * <b>NOTE</b>: call on the orchestrator's context.
 */
public final class AskWarmup {

  private static final Logger LOG = LoggerFactory.getLogger(AskWarmup.class);
  /** Asks per knowledge base: each question reaches other passages, sentences and code (an answer, an abstention). */
  static final int ASKS_PER_KB = 4;
  /** At most this many knowledge bases are asked (the first ones listed); the rest only had retrieval's probe. */
  static final int MAX_KBS = 8;
  static final long ASK_TIMEOUT_MS = 10_000;
  static final int MAX_FAILURES = 2;
  static final long POLL_MS = 100;
  /** Questions of a few lengths (the model runs once per padded length), about nothing any corpus is likely to hold. */
  static final List<String> QUESTIONS = List.of(
    "What does the warm-up probe show?",
    "How is the effect of the treatment measured, and which outcome improved most over the first year?",
    "Which cells are involved in the response?",
    "Is there evidence that the reported association holds across the different populations and age groups that "
      + "were studied, or does it depend on how the samples were selected and measured?");

  private final Vertx vertx;
  private final AskPipeline pipeline;
  private final KbRepository kbs;
  private final Pool postgres;
  private final int connections;
  private final long budgetMs;
  private long startedAt;
  private long deadline;
  private boolean done;
  private int asked;
  private int failed;
  private int failedInARow;
  private int opened;
  private String note = "";

  /**
   * @param postgres the shared PostgreSQL pool, {@code connections} ({@code postgres.poolSize}) of whose connections are
   *     opened
   * @param budgetMs {@code retrieval.warmupMs}; 0 skips the warm-up
   */
  public AskWarmup(Vertx vertx, AskPipeline pipeline, KbRepository kbs, Pool postgres, int connections, long budgetMs) {
    this.vertx = vertx;
    this.pipeline = pipeline;
    this.kbs = kbs;
    this.postgres = postgres;
    this.connections = connections;
    this.budgetMs = budgetMs;
  }

  /** Starts warming in the background. */
  public void start() {
    startedAt = System.currentTimeMillis();
    deadline = startedAt + budgetMs;
    if (budgetMs == 0) {
      finish("off (retrieval.warmupMs is 0)");
      return;
    }
    vertx.setTimer(budgetMs, t -> finish("stopped after " + budgetMs + " ms (retrieval.warmupMs) with " + asked
      + " warm-up asks (" + failed + " failed)"));
    // the knowledge bases there were at start, listed before this node's HTTP server listens: one a client creates
    // right after start is not warm-up-asked beside that client's own first requests
    Future<List<KbRepository.Kb>> listed = kbs.all().map(all -> all.stream().map(KbRepository.KbVersion::kb)
      .filter(kb -> !kb.name().startsWith(KbRepository.HIDDEN)).limit(MAX_KBS).toList());
    Future<Integer> open = Stores.open(postgres, connections).onSuccess(n -> opened = n);
    listed.compose(visible -> visible.isEmpty() ? Future.succeededFuture(false) : retrievalWarm())
      .compose(warm -> open.map(warm))
      .compose(warm -> {
        List<KbRepository.Kb> visible = warm ? listed.result() : List.of();
        Future<Void> chain = Future.succeededFuture();
        for (KbRepository.Kb kb : visible) {
          for (String question : QUESTIONS.subList(0, ASKS_PER_KB)) {
            chain = chain.compose(v -> ask(kb, question));
          }
        }
        return chain;
      })
      .onComplete(ar -> finish(ar.succeeded()
        ? asked + " warm-up asks (" + failed + " failed) in " + (System.currentTimeMillis() - startedAt) + " ms, "
          + opened + " of " + connections + " PostgreSQL connections open"
        : "stopped after " + asked + " warm-up asks (" + failed + " failed): " + ar.cause().getMessage()));
  }

  /** {@code {"status":"WARMING"|"UP","asked","failed","connections","note"?}}. */
  public JsonObject describe() {
    JsonObject json = new JsonObject().put("status", done ? "UP" : "WARMING").put("asked", asked).put("failed", failed)
      .put("connections", opened);
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
   * Completes with true once this node's retrieval verticle reports its warm-up over, false without a retrieval
   * verticle here or once this warm-up is over (out of time).
   */
  private Future<Boolean> retrievalWarm() {
    if (done) {
      return Future.succeededFuture(false);
    }
    return vertx.eventBus().<JsonObject>request(Addresses.RETRIEVAL_STATUS, new JsonObject(), Deadlines.localWithin(1000))
      .map(Message::body)
      .transform(ar -> {
        if (ar.failed() && ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
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
    if (done) {
      return Future.failedFuture("out of time");
    }
    AskRequest request = new AskRequest(kb.tenant(), kb.name(), question, null, List.of(), null,
      ExtractiveGenerator.NAME, null, Sampling.DEFAULT);
    long remaining = Math.max(1, deadline - System.currentTimeMillis());
    return pipeline.warm(request, Math.min(ASK_TIMEOUT_MS, remaining))
      .transform(ar -> {
        asked++;
        if (ar.succeeded()) {
          failedInARow = 0;
          return Future.succeededFuture();
        }
        failed++;
        LOG.debug("warm-up ask of {} failed: {}", kb.name(), ar.cause().getMessage());
        return ++failedInARow >= MAX_FAILURES
          ? Future.failedFuture(failedInARow + " asks in a row failed, the last: " + ar.cause().getMessage())
          : Future.succeededFuture();
      });
  }
}
