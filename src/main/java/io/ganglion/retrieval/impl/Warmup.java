package io.ganglion.retrieval.impl;

import io.ganglion.retrieval.shard.Shards;
import io.ganglion.store.KbRepository;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The warm-up at start, before {@code /ready} reports ready ({@code retrieval.warmupMs}): waits until every copy this
 * node holds is active (loaded from its snapshot or rebuilt from PostgreSQL), then runs one probe search of every
 * knowledge base — which embeds the probe with the knowledge base's model and searches its keyword and vector indexes —
 * so the first searches and asks after a restart do not pay for loading indexes and cold code paths. A search that
 * fails (inference still starting) is tried again. Bounded: when {@code warmupMs} runs out the node reports ready with
 * what it warmed.
 * <p>
 * <b>NOTE</b>: call on the retrieval verticle's context.
 */
public final class Warmup {

  private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
  /** The probe's query text. */
  static final String PROBE = "warm-up probe";
  static final long POLL_MS = 100;
  static final long RETRY_MS = 250;

  private final Vertx vertx;
  private final Shards shards;
  private final KbRepository kbs;
  private final Searcher searcher;
  private final long budgetMs;
  private long startedAt;
  private long deadline;
  private boolean done;
  private int warmed;
  private int of = -1;
  private String note = "";

  /** @param budgetMs {@code retrieval.warmupMs}; 0 skips the warm-up */
  public Warmup(Vertx vertx, Shards shards, KbRepository kbs, Searcher searcher, long budgetMs) {
    this.vertx = vertx;
    this.shards = shards;
    this.kbs = kbs;
    this.searcher = searcher;
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
    vertx.setTimer(budgetMs, t -> {
      if (!done) {
        finish("stopped after " + budgetMs + " ms (retrieval.warmupMs) with " + warmed + " of "
          + Math.max(of, 0) + " knowledge bases warmed");
      }
    });
    copiesActive()
      .compose(v -> kbs.all())
      .compose(all -> {
        List<KbRepository.Kb> visible = all.stream().map(KbRepository.KbVersion::kb)
          .filter(kb -> !kb.name().startsWith(KbRepository.HIDDEN)).toList();
        of = visible.size();
        Future<Void> chain = Future.succeededFuture();
        for (KbRepository.Kb kb : visible) {
          chain = chain.compose(v -> probe(kb)).map(v -> {
            warmed++;
            return null;
          });
        }
        return chain;
      })
      .onComplete(ar -> {
        if (!done) {
          finish(ar.succeeded() ? "warmed " + warmed + " knowledge bases in " + (System.currentTimeMillis() - startedAt)
            + " ms" : "stopped: " + ar.cause().getMessage());
        }
      });
  }

  /** {@code {"status":"WARMING"|"UP","warmed","of","note"?}}. */
  public JsonObject describe() {
    JsonObject json = new JsonObject().put("status", done ? "UP" : "WARMING").put("warmed", warmed)
      .put("of", Math.max(of, 0));
    return note.isEmpty() ? json : json.put("note", note);
  }

  private void finish(String why) {
    done = true;
    note = why;
    LOG.info("warm-up: {}", why);
  }

  /** Completes once every copy this node holds is active (or the budget ran out). */
  private Future<Void> copiesActive() {
    JsonObject copies = shards.describe();
    if (done || copies.getInteger("copies", 0).equals(copies.getInteger("activeCopies", 0))) {
      return Future.succeededFuture();
    }
    Promise<Void> later = Promise.promise();
    vertx.setTimer(POLL_MS, t -> copiesActive().onComplete(later));
    return later.future();
  }

  /** One probe search of {@code kb}, tried again while it fails and time remains. */
  private Future<Void> probe(KbRepository.Kb kb) {
    if (done) {
      return Future.failedFuture("out of time");
    }
    JsonObject body = new JsonObject().put("tenant", kb.tenant()).put("kb", kb.name()).put("query", PROBE).put("k", 1);
    return Future.<JsonObject>future(p -> {
        try {
          searcher.search(kb, body).onComplete(p);
        } catch (RuntimeException e) {
          p.fail(e);
        }
      })
      .<Void>mapEmpty()
      .recover(failure -> {
        if (System.currentTimeMillis() + RETRY_MS >= deadline) {
          return Future.failedFuture(failure);
        }
        Promise<Void> again = Promise.promise();
        vertx.setTimer(RETRY_MS, t -> probe(kb).onComplete(again));
        return again.future();
      });
  }
}
