package io.ganglion.retrieval.impl;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.ErrorCode;
import io.ganglion.inference.EmbedClient;
import io.ganglion.inference.EmbedRequest;
import io.ganglion.retrieval.shard.ShardScatter;
import io.ganglion.store.KbRepository;
import io.ganglion.inference.onnx.TextKind;
import io.ganglion.retrieval.RetrievalConfig;
import io.ganglion.retrieval.index.Fusion;
import io.ganglion.retrieval.index.Hit;
import io.ganglion.retrieval.index.KeywordScoring;
import io.ganglion.retrieval.index.ReciprocalRankFusion;
import io.ganglion.retrieval.index.SearchMode;
import io.ganglion.retrieval.index.SearchQuery;
import io.ganglion.retrieval.index.WeightedScoreFusion;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One search: validates the request, embeds the query (for vector and hybrid modes) through
 * {@code ganglion.inference.embed}, searches the knowledge base's shards, and optionally reranks the top hits with a
 * cross-encoder through {@code ganglion.inference.rerank}.
 */
public final class Searcher {

  public static final int MAX_K = 100;
  public static final int MAX_CANDIDATES = 1000;
  public static final int MAX_QUERY_CHARS = 4000;

  private final Vertx vertx;
  private final ShardScatter scatter;
  private final RetrievalConfig config;
  private final long busTimeoutMs;
  private final EmbedClient embeds;
  private final KbModels models;

  public Searcher(Vertx vertx, ShardScatter scatter, KbModels models, RetrievalConfig config, long busTimeoutMs) {
    this.vertx = vertx;
    this.scatter = scatter;
    this.models = models;
    this.config = config;
    this.busTimeoutMs = busTimeoutMs;
    this.embeds = EmbedClient.create(vertx);
  }

  /** The parsed parameters of a search request. */
  record Request(String query, SearchMode mode, int k, int keywordCandidates, int vectorCandidates,
                 Map<String, String> filter, Fusion fusion, boolean byDocument, KeywordScoring scoring, String reranker,
                 boolean allowPartial) {
  }

  /**
   * Searches knowledge base {@code kb}'s shards wherever their active copies are; replies
   * {@code {"hits":[...],"shards":{"total","successful","failed"},"partial"?:true}}. A search some shard could not
   * answer is partial; with {@code "allowPartial":false} it fails 5031 instead, and when no shard answered it always
   * does.
   */
  public Future<JsonObject> search(KbRepository.Kb kb, JsonObject body) {
    return search(kb, body, Long.MAX_VALUE);
  }

  /**
   * {@link #search(KbRepository.Kb, JsonObject)} within the caller's deadline (epoch ms, {@code Long.MAX_VALUE} for
   * none): the query's embedding gets only the time left, so inference refuses it at once (5030) if it could not
   * be embedded in time rather than taking the caller's whole budget.
   */
  public Future<JsonObject> search(KbRepository.Kb kb, JsonObject body, long deadlineMillis) {
    Request request = parse(body);
    Future<float[]> vector = request.mode() == SearchMode.KEYWORD ? Future.succeededFuture(null)
      : models.of(kb.id()).compose(embedding -> embed(request.query(), embedding.model(), deadlineMillis));
    int first = request.reranker() == null ? request.k() : Math.max(request.k(), config.rerankCandidates());
    // the keyword statistics step needs the text only, so it runs while the query is embedded
    SearchQuery keywords = request.mode() == SearchMode.VECTOR ? null : new SearchQuery(request.query(), null,
      SearchMode.KEYWORD, first, request.keywordCandidates(), request.vectorCandidates(), request.filter(),
      request.byDocument(), request.scoring());
    Future<SearchQuery> query = vector.map(v -> new SearchQuery(request.query(), v, request.mode(), first,
      request.keywordCandidates(), request.vectorCandidates(), request.filter(), request.byDocument(),
      request.scoring()));
    return scatter.search(kb, keywords, query, request.fusion(), deadlineMillis)
      .compose(result -> {
        if (result.successful() == 0 || (result.partial() && !request.allowPartial())) {
          return Future.failedFuture(ErrorCode.UNAVAILABLE.exception(result.failed() + " of " + result.total()
            + " shards of knowledge base '" + kb.name() + "' have no active copy that answered; retry shortly"));
        }
        return (request.reranker() == null ? Future.succeededFuture(result.hits()) : rerank(request, result.hits()))
          .map(hits -> {
            JsonObject reply = new JsonObject()
              .put("hits", new JsonArray(hits.stream().limit(request.k()).map(Hit::toJson).toList()))
              .put("shards", new JsonObject().put("total", result.total()).put("successful", result.successful())
                .put("failed", result.failed()));
            if (result.partial()) {
              reply.put("partial", true);
            }
            return reply;
          });
      });
  }

  Request parse(JsonObject body) {
    if (!(body.getValue("query") instanceof String query) || query.isBlank()) {
      throw ErrorCode.INVALID_REQUEST.exception("'query' is required and must be a non-empty string");
    }
    if (query.length() > MAX_QUERY_CHARS) {
      throw ErrorCode.PAYLOAD_TOO_LARGE.exception("'query' is longer than " + MAX_QUERY_CHARS + " characters");
    }
    SearchMode mode;
    try {
      mode = SearchMode.parse(body.getValue("mode", "hybrid") instanceof String m ? m : "?");
    } catch (IllegalArgumentException e) {
      throw ErrorCode.INVALID_REQUEST.exception("'mode' must be hybrid, keyword or vector");
    }
    int k = whole(body, "k", 10, 1, MAX_K);
    int keywordCandidates = config.keywordDepth();
    int vectorCandidates = config.vectorDepth();
    if (body.getValue("candidates") instanceof JsonObject depths) {
      keywordCandidates = whole(depths, "keyword", keywordCandidates, 1, MAX_CANDIDATES);
      vectorCandidates = whole(depths, "vector", vectorCandidates, 1, MAX_CANDIDATES);
    } else if (body.getValue("candidates") != null) {
      keywordCandidates = whole(body, "candidates", 0, 1, MAX_CANDIDATES);
      vectorCandidates = keywordCandidates;
    }
    Map<String, String> filter = new LinkedHashMap<>();
    Object rawFilter = body.getValue("filter");
    if (rawFilter != null) {
      if (!(rawFilter instanceof JsonObject f)) {
        throw ErrorCode.INVALID_REQUEST.exception("'filter' must be an object of metadata key to value");
      }
      for (Map.Entry<String, Object> e : f) {
        if (!(e.getValue() instanceof String || e.getValue() instanceof Number || e.getValue() instanceof Boolean)) {
          throw ErrorCode.INVALID_REQUEST.exception("filter '" + e.getKey() + "' must be a string, number or boolean");
        }
        filter.put(e.getKey(), e.getValue().toString());
      }
    }
    Object allowPartial = body.getValue("allowPartial", true);
    if (!(allowPartial instanceof Boolean partialOk)) {
      throw ErrorCode.INVALID_REQUEST.exception("'allowPartial' must be true or false");
    }
    return new Request(query, mode, k, keywordCandidates, vectorCandidates, filter, fusion(body, query),
      byDocument(body), scoring(body), reranker(body), partialOk);
  }

  private boolean byDocument(JsonObject body) {
    Object value = body.getValue("aggregate", config.aggregate().name().toLowerCase(java.util.Locale.ROOT));
    if (!"chunk".equals(value) && !"document".equals(value)) {
      throw ErrorCode.INVALID_REQUEST.exception("'aggregate' must be chunk or document");
    }
    return "document".equals(value);
  }

  private KeywordScoring scoring(JsonObject body) {
    Object bm25 = body.getValue("bm25", new JsonObject());
    if (!(bm25 instanceof JsonObject params)) {
      throw ErrorCode.INVALID_REQUEST.exception("'bm25' must be an object {\"k1\", \"b\"}");
    }
    return new KeywordScoring(number(params, "bm25.k1", "k1", config.bm25K1(), 10), number(params, "bm25.b", "b",
      config.bm25B(), 1), number(body, "headingWeight", "headingWeight", config.headingWeight(), 10),
      number(body, "exactWeight", "exactWeight", config.exactWeight(), 10));
  }

  private static double number(JsonObject body, String name, String field, double fallback, double max) {
    Object w = body.getValue(field, fallback);
    if (!(w instanceof Number n) || !(n.doubleValue() >= 0 && n.doubleValue() <= max)) {
      throw ErrorCode.INVALID_REQUEST.exception("'" + name + "' must be a number from 0 to " + (int) max);
    }
    return n.doubleValue();
  }

  private Fusion fusion(JsonObject body, String query) {
    if (!body.containsKey("fusion") && !body.containsKey("rrfK") && !body.containsKey("vectorWeight")) {
      Object route = body.getValue("route", config.routing());
      if (!(route instanceof Boolean b)) {
        throw ErrorCode.INVALID_REQUEST.exception("'route' must be true or false");
      }
      return b && config.fusion() == RetrievalConfig.Fusion.WEIGHTED ? new WeightedScoreFusion(routedWeight(config, query))
        : config.hybridFusion();
    }
    Object name = body.getValue("fusion", config.fusion().name().toLowerCase());
    if ("rrf".equals(name)) {
      return new ReciprocalRankFusion(whole(body, "rrfK", config.rrfK(), 1, 10_000));
    }
    if ("weighted".equals(name)) {
      Object w = body.getValue("vectorWeight", config.vectorWeight());
      if (!(w instanceof Number n) || n.doubleValue() < 0 || n.doubleValue() > 1) {
        throw ErrorCode.INVALID_REQUEST.exception("'vectorWeight' must be a number from 0 to 1");
      }
      return new WeightedScoreFusion(n.doubleValue());
    }
    throw ErrorCode.INVALID_REQUEST.exception("'fusion' must be rrf or weighted");
  }

  /** The vector weight for a query of this shape ({@link QueryShape}). */
  static double routedWeight(RetrievalConfig config, String query) {
    return switch (QueryShape.of(query)) {
      case KEYWORD_LIKE -> config.keywordLikeVectorWeight();
      case NATURAL_LANGUAGE -> config.naturalVectorWeight();
      case MIXED -> config.vectorWeight();
    };
  }

  private String reranker(JsonObject body) {
    Object rerank = body.getValue("rerank", !config.reranker().isEmpty());
    if (!(rerank instanceof Boolean b)) {
      throw ErrorCode.INVALID_REQUEST.exception("'rerank' must be true or false");
    }
    if (b && config.reranker().isEmpty()) {
      throw ErrorCode.INVALID_REQUEST.exception("no reranker is configured (retrieval.reranker)");
    }
    return b ? config.reranker() : null;
  }

  /** The query's vector from the knowledge base's own model (a vector of another model would match nothing). */
  private Future<float[]> embed(String query, String model, long deadlineMillis) {
    long left = deadlineMillis == Long.MAX_VALUE ? busTimeoutMs : deadlineMillis - System.currentTimeMillis();
    return embeds.vectors(new EmbedRequest(List.of(query), TextKind.QUERY, model), Math.max(1, Math.min(busTimeoutMs, left)))
      .map(vectors -> vectors.get(0))
      .recover(failure -> Future.failedFuture(models.notLoadedHere(failure, model)));
  }

  private Future<List<Hit>> rerank(Request request, List<Hit> hits) {
    if (hits.isEmpty()) {
      return Future.succeededFuture(hits);
    }
    JsonArray passages = new JsonArray(hits.stream().map(h -> (Object) h.text()).toList());
    return vertx.eventBus().<JsonObject>request(Addresses.local(Addresses.INFERENCE_RERANK), new JsonObject().put("model", request.reranker())
        .put("query", request.query()).put("passages", passages), Deadlines.within(busTimeoutMs))
      .map(reply -> {
        JsonArray scores = reply.body().getJsonArray("scores");
        List<Hit> reranked = new ArrayList<>(hits.size());
        for (int i = 0; i < hits.size(); i++) {
          Hit h = hits.get(i);
          reranked.add(new Hit(h.documentId(), h.chunkId(), h.title(), h.text(), h.start(), h.end(),
            ((Number) scores.getValue(i)).doubleValue(), h.keywordScore(), h.vectorScore(), h.injection()));
        }
        reranked.sort(Comparator.comparingDouble(Hit::score).reversed());
        return reranked;
      });
  }

  private static int whole(JsonObject body, String field, int fallback, int min, int max) {
    Object value = body.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.intValue() < min || n.intValue() > max) {
      throw ErrorCode.INVALID_REQUEST.exception("'" + field + "' must be a whole number from " + min + " to " + max);
    }
    return n.intValue();
  }
}
