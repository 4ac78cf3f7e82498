package io.ganglion.orchestration.impl;

import io.ganglion.bus.ErrorCode;
import io.ganglion.reflex.IndirectInjectionPolicy;
import io.ganglion.orchestration.OrchestrationConfig;
import io.ganglion.generation.ChatMessage;
import io.ganglion.generation.TokenUsage;
import io.ganglion.orchestration.AskRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The answer pipeline of one ask, as named, timed steps: {@code reflex_in} → {@code history} → {@code rewrite} →
 * {@code retrieve} (reranked by retrieval when a cross-encoder is configured) → {@code context} → {@code generate} (with {@code reflex_out} inspecting the
 * output sentence by sentence as it streams) → {@code judge} → {@code persist}.
 * <p>
 * Degrades where that is honest: retrieval down gives an answer that says so and abstains; a provider down falls back along its chain to the extractive generator; a reflex
 * layer that is absent or fails lets the text pass (recorded). The whole ask has {@code orchestration.timeoutMs};
 * cancellation stops it at the next step and abandons a generation in flight.
 * <p>
 * <b>NOTE</b>: runs on the orchestrator's event loop; never blocks.
 */
public final class AskPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(AskPipeline.class);

  public static final String RETRIEVAL_DOWN = "The knowledge base cannot be searched right now, so this question "
    + "cannot be answered from it. Please try again later.";

  private final OrchestrationConfig config;
  private final long hopTimeoutMs;
  private final ReflexHook reflex;
  private final Retriever retriever;
  private final Generation generation;
  private final Records records;

  public AskPipeline(Vertx vertx, OrchestrationConfig config, long hopTimeoutMs, Generation generation, Records records) {
    this.config = config;
    this.hopTimeoutMs = hopTimeoutMs;
    this.reflex = new ReflexHook(vertx);
    this.retriever = new Retriever(vertx);
    this.generation = generation;
    this.records = records;
  }

  /** A handle on an ask in flight. */
  public interface Ask {
    Future<JsonObject> reply();

    void cancel();
  }

  /**
   * Starts answering.
   *
   * @param events receives {@code (event, data)} stream events: {@code step}, {@code token}, {@code citation}
   */
  public Ask start(AskRequest request, BiConsumer<String, JsonObject> events) {
    generation.check(request.generator(), request.sampling());
    AskContext ask = new AskContext(request, config.timeoutMs(), hopTimeoutMs, events);
    Future<JsonObject> reply = steps(ask)
      .timeout(config.timeoutMs(), TimeUnit.MILLISECONDS)
      .recover(failure -> failed(ask, failure));
    return new Ask() {
      @Override
      public Future<JsonObject> reply() {
        return reply;
      }

      @Override
      public void cancel() {
        ask.cancel();
      }
    };
  }

  /**
   * An ask run for the start-up warm-up ({@link AskWarmup}): every step but {@code persist}, streaming nowhere; nothing
   * is stored, not even when it fails.
   */
  Future<JsonObject> warm(AskRequest request) {
    AskContext ask = new AskContext(request, config.timeoutMs(), hopTimeoutMs, (event, data) -> { });
    ask.warmup = true;
    return steps(ask).timeout(config.timeoutMs(), TimeUnit.MILLISECONDS);
  }

  private Future<JsonObject> steps(AskContext ask) {
    return ask.steps.run("reflex_in", () -> reflexIn(ask))
      .compose(v -> ask.steps.run("history", () -> history(ask)))
      .compose(v -> ask.steps.run("rewrite", () -> rewrite(ask)))
      .compose(v -> ask.steps.run("retrieve", () -> retrieve(ask)))
      .compose(v -> ask.steps.run("context", () -> context(ask)))
      .compose(v -> ask.steps.run("generate", () -> generate(ask)))
      .compose(v -> ask.steps.run("judge", () -> judge(ask)))
      .compose(v -> ask.steps.run("persist", () -> ask.warmup
        ? Future.succeededFuture(new JsonObject().put("status", "skipped")) : records.persist(ask, outcome(ask))))
      .map(v -> reply(ask));
  }

  private Future<JsonObject> reflexIn(AskContext ask) {
    return reflex.inspect(ask.question, "input", ask.request.tenant(), ask.request.kb(), ask.hop()).compose(inspection -> {
      if (inspection.blocked()) {
        return Future.failedFuture(ErrorCode.UNPROCESSABLE.exception("the question was blocked by policy"));
      }
      ask.question = inspection.text();
      ask.reflexAvailable = "ok".equals(inspection.status());
      return Future.succeededFuture(inspection.detail().put("status", inspection.status()));
    });
  }

  private Future<JsonObject> history(AskContext ask) {
    if (ask.request.inlineHistory()) {
      ask.history = ask.request.history();
      return Future.succeededFuture(new JsonObject().put("turns", ask.history.size()).put("source", "request"));
    }
    if (ask.request.conversationId() == null) {
      ask.newConversation = true;
      return Future.succeededFuture(new JsonObject().put("status", "skipped").put("turns", 0));
    }
    return records.history(ask, config.historyTurns())
      .map(turns -> new JsonObject().put("turns", turns).put("source", "conversation"));
  }

  private Future<JsonObject> rewrite(AskContext ask) {
    ask.query = QueryRewriter.rewrite(ask.question, ask.history);
    boolean rewritten = !ask.query.equals(ask.question);
    return Future.succeededFuture(new JsonObject().put("status", rewritten ? "ok" : "skipped").put("query", ask.query));
  }

  private Future<JsonObject> retrieve(AskContext ask) {
    AskRequest r = ask.request;
    int k = r.k() == null ? config.topK() : r.k();
    return retriever.search(r.tenant(), r.kb(), ask.query, k, config.searchMode(), r.filter(), ask.hop())
      .map(retrieved -> {
        List<Passage> hits = retrieved.passages();
        ask.retrieved = hits;
        ask.partial = retrieved.partial();
        // the stored sentence vectors and the query's vector are read while the passages are screened
        ask.vectors = generation.vectors(r.tenant(), r.kb(), r.generator(), ask.query, hits, ask.hop());
        JsonObject detail = new JsonObject().put("hits", hits.size())
          .put("chunkIds", new JsonArray(hits.stream().map(Passage::chunkId).toList()));
        return retrieved.partial() ? detail.put("partial", true) : detail;
      })
      .recover(failure -> {
        if (Retriever.notFound(failure) || ask.cancelled()) {
          return Future.failedFuture(failure);
        }
        LOG.warn("retrieval failed, abstaining: {}", failure.getMessage());
        ask.retrievalDown = true;
        return Future.succeededFuture(new JsonObject().put("status", "degraded")
          .put("code", ErrorCode.of(failure).code()).put("error", String.valueOf(failure.getMessage())));
      });
  }

  // indirect injection: retrieved passages are screened by the reflex layer before they reach the generator, and a
  // flagged one is withheld, wrapped or stops the ask (reflex.injection.indirect.action); the step says which, and
  // whether the verdict was recorded at ingestion (source "ingest": not inspected again) or made now (source "ask")
  private Future<JsonObject> context(AskContext ask) {
    if (ask.retrieved.isEmpty()) {
      return Future.succeededFuture(contextDetail(ask, ask.retrieved, new JsonObject()));
    }
    List<String> texts = ask.retrieved.stream().map(Passage::text).toList();
    String tenant = ask.request.tenant();
    List<JsonObject> marks = ask.retrieved.stream().map(Passage::injection).toList();
    return reflex.inspectPassages(texts, marks, tenant, ask.request.kb(), ask.hop()).compose(screen -> {
      JsonObject screening = new JsonObject();
      if (screen == null) {
        return Future.succeededFuture(contextDetail(ask, ask.retrieved, screening.put("screening", "failed")));
      }
      IndirectInjectionPolicy policy = IndirectInjectionPolicy.parse(screen.getString("policy", "withhold"));
      boolean enforced = screen.getBoolean("enforced", true);
      List<Passage> kept = new java.util.ArrayList<>(ask.retrieved.size());
      io.vertx.core.json.JsonArray flagged = new io.vertx.core.json.JsonArray();
      io.vertx.core.json.JsonArray made = screen.getJsonArray("passages");
      int recorded = 0;
      int remembered = 0;
      for (int i = 0; i < ask.retrieved.size(); i++) {
        Passage p = ask.retrieved.get(i);
        JsonObject v = made.getJsonObject(i);
        recorded += "ingest".equals(v.getString("source")) ? 1 : 0;
        remembered += "remembered".equals(v.getString("source")) ? 1 : 0;
        if (!v.getBoolean("injection", false)) {
          kept.add(p);
          continue;
        }
        flagged.add(new JsonObject().put("chunkId", p.chunkId()).put("documentId", p.documentId())
          .put("score", v.getValue("score")).put("rules", v.getValue("rules")).put("families", v.getValue("families"))
          .put("stage", v.getValue("stage")).put("source", v.getValue("source")));
        if (!enforced) {
          kept.add(p);
        } else if (policy == IndirectInjectionPolicy.WRAP) {
          kept.add(p.withText(IndirectInjectionPolicy.wrap(p.text())));
        }
      }
      screening.put("screening", "ok").put("injectionVersion", screen.getString("version"))
        .put("recorded", recorded).put("remembered", remembered)
        .put("inspected", ask.retrieved.size() - recorded - remembered);
      if (!flagged.isEmpty()) {
        screening.put(!enforced ? "flagged" : policy == IndirectInjectionPolicy.WRAP ? "wrapped" : "withheld", flagged)
          .put("policy", enforced ? policy.wireName() : "shadow");
        if (enforced && policy == IndirectInjectionPolicy.STOP) {
          return Future.failedFuture(ErrorCode.UNPROCESSABLE.exception(
            "a retrieved passage carries instructions to the assistant (indirect prompt injection)"));
        }
      }
      return Future.succeededFuture(contextDetail(ask, kept, screening));
    });
  }

  private JsonObject contextDetail(AskContext ask, List<Passage> candidates, JsonObject screening) {
    ask.context = ContextBuilder.build(candidates, config.contextTokens());
    int tokens = ask.context.stream().mapToInt(p -> Tokens.estimate(p.text())).sum();
    return screening.put("passages", ask.context.size()).put("tokens", tokens)
      .put("dropped", candidates.size() - ask.context.size());
  }

  private Future<JsonObject> generate(AskContext ask) {
    if (ask.retrievalDown) {
      ask.generated = new Generation.Generated(RETRIEVAL_DOWN, "none", "none", List.of(), true, TokenUsage.NONE, null,
        null, null, io.ganglion.generation.FinishReason.STOP);
      ask.emit("token", new JsonObject().put("text", RETRIEVAL_DOWN));
      ask.steps.record("reflex_out", "skipped", System.nanoTime(), new JsonObject());
      return Future.succeededFuture(new JsonObject().put("status", "degraded").put("generator", "none"));
    }
    OutputGuard guard = new OutputGuard(reflex, ask.request.tenant(), ask.request.kb(), ask::hop, ask.reflexAvailable,
      text -> ask.emit("token", new JsonObject().put("text", text)));
    // with nothing retrieved there is nothing to cite: the extractive generator abstains without calling anyone
    String generator = ask.context.isEmpty() ? ExtractiveGenerator.NAME : ask.request.generator();
    long guardStart = System.nanoTime();
    SentenceVectors vectors = ask.vectors != null ? ask.vectors
      : generation.vectors(ask.request.tenant(), ask.request.kb(), null, ask.query, List.of(), ask.hop());
    return generation.generate(vectors, generator, ask.question, ask.query, ask.history, ask.context,
        ask.request.sampling(), ask::hop, guard::accept, ask::generating)
      .compose(generated -> guard.finish().map(text -> {
        // a sentence the output policy withheld ends the answer as OpenAI's content filter would
        io.ganglion.generation.FinishReason finish = guard.withheld() ? io.ganglion.generation.FinishReason.CONTENT_FILTER
          : generated.finish();
        ask.generated = generated.guarded(text, finish);
        ask.steps.record("reflex_out", guard.detail().getString("status"), guardStart, guard.detail().put("status", null));
        generated.citations().forEach(c -> ask.emit("citation", c));
        return new JsonObject().put("generator", generated.generator()).put("model", generated.model())
          .put("abstained", generated.abstained()).put("citations", generated.citations().size())
          .put("similarity", generated.similarity()).put("confidence", generated.confidence())
          .put("signals", generated.signals());
      }));
  }

  private Future<JsonObject> judge(AskContext ask) {
    if (ask.generated.abstained()) {
      return Future.succeededFuture(new JsonObject().put("status", "skipped"));
    }
    List<String> cited = new ArrayList<>();
    for (JsonObject c : ask.generated.citations()) {
      int n = c.getInteger("n");
      while (cited.size() < n) {
        cited.add(null);
      }
      cited.set(n - 1, c.getString("quote"));
    }
    ask.verdict = Groundedness.judge(ask.generated.text(), cited);
    return Future.succeededFuture(new JsonObject().put("groundedness", ask.verdict.score())
      .put("supported", ask.verdict.supported()).put("sentences", ask.verdict.sentences()));
  }

  private static String outcome(AskContext ask) {
    return ask.retrievalDown ? "degraded" : ask.generated.abstained() ? "abstained" : "answered";
  }

  private JsonObject reply(AskContext ask) {
    Generation.Generated g = ask.generated;
    JsonObject reply = new JsonObject()
      .put("answer", g.text())
      .put("citations", new JsonArray(List.copyOf(g.citations())))
      .put("generator", g.generator())
      .put("abstained", g.abstained())
      .put("finishReason", g.finish().wireName())
      .put("groundedness", ask.verdict == null ? null : ask.verdict.score())
      .put("conversationId", ask.conversationId == null ? null : ask.conversationId.toString())
      .put("traceId", ask.traceId.toString())
      .put("query", ask.query)
      .put("usage", new JsonObject().put("promptTokens", g.usage().promptTokens())
        .put("completionTokens", g.usage().completionTokens()).put("totalTokens", g.usage().totalTokens()))
      .put("timings", ask.steps.timings());
    if (ask.partial) {
      // some shard could not answer: the answer may miss passages (never cached)
      reply.put("partial", true);
    }
    return reply;
  }

  /** Stops what is still running; cancelled and server-side failures leave a trace too. */
  private Future<JsonObject> failed(AskContext ask, Throwable failure) {
    boolean cancelled = ask.cancelled() || failure instanceof AskCancelledException;
    ask.cancel();
    ErrorCode code = ErrorCode.of(failure);
    if (cancelled || code.status() >= 500) {
      records.persistFailure(ask, cancelled ? "cancelled" : "failed", String.valueOf(failure.getMessage()))
        .onFailure(e -> LOG.warn("trace of a failed ask not stored: {}", e.getMessage()));
    }
    if (code == ErrorCode.TIMEOUT && !(failure instanceof io.vertx.core.eventbus.ReplyException)) {
      return Future.failedFuture(ErrorCode.TIMEOUT.exception("no answer within " + config.timeoutMs() + " ms"));
    }
    return Future.failedFuture(failure);
  }
}
