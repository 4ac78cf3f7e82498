package io.ganglion.retrieval;

import io.ganglion.config.ConfigException;
import io.ganglion.config.ConfigReader;
import io.ganglion.retrieval.index.ReciprocalRankFusion;
import io.ganglion.retrieval.index.VectorIndexConfig;
import io.ganglion.retrieval.index.WeightedScoreFusion;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Settings of the retrieval verticle, read once from the {@code retrieval} section of the configuration.
 *
 * @param shards shards per knowledge base; documents are assigned by a stable hash of their id
 * @param workers threads of the retrieval worker pool (fixed platform threads: each holds JVector search scratch)
 * @param chunkTokens the most tokens a chunk may hold
 * @param overlapTokens tokens repeated from the end of one chunk at the start of the next; below {@code chunkTokens}
 * @param fusion how keyword and vector rankings are merged in hybrid mode
 * @param rrfK the {@code k} of reciprocal-rank fusion: {@code 1 / (k + rank)}
 * @param vectorWeight the weight of the vector score in weighted fusion, in [0, 1]; keyword gets {@code 1 - weight}
 * @param candidates hits each ranking contributes before fusion and truncation
 * @param keywordCandidates hits the keyword ranking contributes; 0 for {@code candidates}
 * @param vectorCandidates hits the vector ranking contributes; 0 for {@code candidates}
 * @param aggregate whether hybrid search fuses chunks one by one or ranks documents (each by its best chunk per
 *                  ranking), hits then coming document by document
 * @param headingWeight weight of a query term matching the document title or heading path, on top of its match in
 *                      the body; 0 for none
 * @param exactWeight weight of a query term's match in the exact field (identifiers as typed, words unstemmed), on
 *                    top of its stemmed match in the body
 * @param bm25K1 BM25 term-frequency saturation
 * @param bm25B BM25 length normalisation
 * @param routing whether a search that names no vector weight gets one by the shape of its query: keyword-like
 *                (a code or identifier in a few words, or one or two words) {@code keywordLikeVectorWeight},
 *                natural-language (a question, or six words or more) {@code naturalVectorWeight}, others
 *                {@code vectorWeight}
 * @param keywordLikeVectorWeight weighted fusion's vector weight for keyword-like queries
 * @param naturalVectorWeight weighted fusion's vector weight for natural-language queries
 * @param maxDocumentsPerRequest the most documents one ingestion request may carry
 * @param maxFileBytes the largest file an ingestion request may upload
 * @param asyncThreshold ingestion requests with more documents than this run as a background job
 * @param reranker the cross-encoder (an {@code inference.models} name of kind reranker) that reorders hits; empty
 *                 for none
 * @param rerankCandidates how many fused hits the reranker rescores
 * @param vectors how shards hold their vectors (in-heap or on-disk graphs, PQ, merges): {@code retrieval.vectors}
 * @param capacity when ingestion is refused before the heap or the disk runs out: {@code retrieval.capacity}
 */
public record RetrievalConfig(
  int shards,
  int workers,
  int chunkTokens,
  int overlapTokens,
  Fusion fusion,
  int rrfK,
  double vectorWeight,
  int candidates,
  int keywordCandidates,
  int vectorCandidates,
  Aggregate aggregate,
  double headingWeight,
  double exactWeight,
  double bm25K1,
  double bm25B,
  boolean routing,
  double keywordLikeVectorWeight,
  double naturalVectorWeight,
  int maxDocumentsPerRequest,
  long maxFileBytes,
  int asyncThreshold,
  String reranker,
  int rerankCandidates,
  VectorIndexConfig vectors,
  Capacity capacity) {

  /** How hybrid search merges its two rankings. */
  public enum Fusion {
    /** Reciprocal-rank fusion: ranks only, robust to score scales. */
    RRF,
    /** Min-max normalised scores, combined by {@code vectorWeight}. */
    WEIGHTED
  }

  /**
   * Ingestion is refused (503 {@code capacity}) while the heap in use after the last collection is above
   * {@code maxHeapFraction} of the maximum heap, or the data directory's file system has less than
   * {@code minFreeDiskMb} free: the node stops taking documents before either runs out, instead of failing mid-write.
   *
   * @param maxHeapFraction in (0, 1]
   * @param minFreeDiskMb at least 0
   */
  public record Capacity(double maxHeapFraction, long minFreeDiskMb) {
    public static final Capacity DEFAULTS = new Capacity(0.85, 1024);

    public Capacity {
      if (!(maxHeapFraction > 0 && maxHeapFraction <= 1)) {
        throw new ConfigException("retrieval.capacity.maxHeapFraction", "must be in (0, 1], got " + maxHeapFraction);
      }
      if (minFreeDiskMb < 0) {
        throw new ConfigException("retrieval.capacity.minFreeDiskMb", "must be at least 0, got " + minFreeDiskMb);
      }
    }

    static Capacity from(JsonObject retrieval) {
      ConfigReader r = new ConfigReader(retrieval, "retrieval").child("capacity");
      return new Capacity(r.decimal("maxHeapFraction", DEFAULTS.maxHeapFraction, 0.01, 1.0),
        r.longValue("minFreeDiskMb", DEFAULTS.minFreeDiskMb, 0, Long.MAX_VALUE));
    }
  }

  /** How hybrid search turns chunk hits into a ranking. */
  public enum Aggregate {
    /** Chunks are fused one by one. */
    CHUNK,
    /** Documents are ranked, each by its best chunk in each ranking. */
    DOCUMENT
  }

  public static final RetrievalConfig DEFAULTS = new RetrievalConfig(4, 4, 256, 32, Fusion.WEIGHTED, 60, 0.6, 100, 0, 0,
    Aggregate.CHUNK, 0, 1, 1.2, 0.75, false, 0.3, 0.6, 1000, 20L * 1024 * 1024, 20, "", 30, VectorIndexConfig.DEFAULTS,
    Capacity.DEFAULTS);

  public RetrievalConfig {
    atLeast("shards", shards, 1);
    atLeast("workers", workers, 1);
    atLeast("chunkTokens", chunkTokens, 16);
    atLeast("overlapTokens", overlapTokens, 0);
    if (overlapTokens >= chunkTokens) {
      throw new ConfigException(key("overlapTokens"), "must be below chunkTokens (" + chunkTokens + "), got " + overlapTokens);
    }
    if (fusion == null) {
      throw new ConfigException(key("fusion"), "must be rrf or weighted");
    }
    atLeast("rrfK", rrfK, 1);
    unit("vectorWeight", vectorWeight);
    atLeast("candidates", candidates, 1);
    atLeast("keywordCandidates", keywordCandidates, 0);
    atLeast("vectorCandidates", vectorCandidates, 0);
    if (aggregate == null) {
      throw new ConfigException(key("aggregate"), "must be chunk or document");
    }
    if (!(headingWeight >= 0 && headingWeight <= 10)) {
      throw new ConfigException(key("headingWeight"), "must be between 0 and 10, got " + headingWeight);
    }
    if (!(exactWeight >= 0 && exactWeight <= 10)) {
      throw new ConfigException(key("exactWeight"), "must be between 0 and 10, got " + exactWeight);
    }
    if (!(bm25K1 >= 0 && bm25K1 <= 10)) {
      throw new ConfigException(key("bm25K1"), "must be between 0 and 10, got " + bm25K1);
    }
    unit("bm25B", bm25B);
    unit("keywordLikeVectorWeight", keywordLikeVectorWeight);
    unit("naturalVectorWeight", naturalVectorWeight);
    atLeast("maxDocumentsPerRequest", maxDocumentsPerRequest, 1);
    if (maxFileBytes < 1) {
      throw new ConfigException(key("maxFileBytes"), "must be at least 1, got " + maxFileBytes);
    }
    atLeast("asyncThreshold", asyncThreshold, 0);
    atLeast("rerankCandidates", rerankCandidates, 1);
    vectors = vectors == null ? VectorIndexConfig.DEFAULTS : vectors;
    capacity = capacity == null ? Capacity.DEFAULTS : capacity;
  }

  /** The hybrid fusion this configuration asks for (what a search uses when it names none). */
  public io.ganglion.retrieval.index.Fusion hybridFusion() {
    return switch (fusion) {
      case RRF -> new ReciprocalRankFusion(rrfK);
      case WEIGHTED -> new WeightedScoreFusion(vectorWeight);
    };
  }

  /**
   * Reads the {@code retrieval} section; absent keys take {@link #DEFAULTS}.
   *
   * @throws ConfigException naming the first bad key, e.g. {@code retrieval.shards: must be at least 1, got 0}
   */
  public static RetrievalConfig from(JsonObject json) {
    JsonObject j = json == null ? new JsonObject() : json;
    RetrievalConfig d = DEFAULTS;
    return new RetrievalConfig(
      integer(j, "shards", d.shards),
      integer(j, "workers", d.workers),
      integer(j, "chunkTokens", d.chunkTokens),
      integer(j, "overlapTokens", d.overlapTokens),
      oneOf(j, "fusion", d.fusion, Fusion.class),
      integer(j, "rrfK", d.rrfK),
      number(j, "vectorWeight", d.vectorWeight).doubleValue(),
      integer(j, "candidates", d.candidates),
      integer(j, "keywordCandidates", d.keywordCandidates),
      integer(j, "vectorCandidates", d.vectorCandidates),
      oneOf(j, "aggregate", d.aggregate, Aggregate.class),
      number(j, "headingWeight", d.headingWeight).doubleValue(),
      number(j, "exactWeight", d.exactWeight).doubleValue(),
      number(j, "bm25K1", d.bm25K1).doubleValue(),
      number(j, "bm25B", d.bm25B).doubleValue(),
      bool(j, "routing", d.routing),
      number(j, "keywordLikeVectorWeight", d.keywordLikeVectorWeight).doubleValue(),
      number(j, "naturalVectorWeight", d.naturalVectorWeight).doubleValue(),
      integer(j, "maxDocumentsPerRequest", d.maxDocumentsPerRequest),
      number(j, "maxFileBytes", d.maxFileBytes).longValue(),
      integer(j, "asyncThreshold", d.asyncThreshold),
      j.getValue("reranker") instanceof String r ? r.trim() : d.reranker,
      integer(j, "rerankCandidates", d.rerankCandidates),
      VectorIndexConfig.from(j),
      Capacity.from(j));
  }

  private static int integer(JsonObject j, String name, int fallback) {
    Number n = number(j, name, fallback);
    if (n.doubleValue() != Math.rint(n.doubleValue()) || Math.abs(n.doubleValue()) > Integer.MAX_VALUE) {
      throw new ConfigException(key(name), "must be an integer, got " + n);
    }
    return n.intValue();
  }

  private static Number number(JsonObject j, String name, Number fallback) {
    Object v = j.getValue(name);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Number n) {
      return n;
    }
    throw new ConfigException(key(name), "must be a number, got \"" + v + "\"");
  }

  /** One of {@code type}'s constants, named in lower case ({@code rrf}, {@code document}). */
  private static <E extends Enum<E>> E oneOf(JsonObject j, String name, E fallback, Class<E> type) {
    Object v = j.getValue(name);
    if (v == null) {
      return fallback;
    }
    String wanted = String.valueOf(v).trim().toUpperCase(java.util.Locale.ROOT);
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(wanted)) {
        return e;
      }
    }
    List<String> names = java.util.Arrays.stream(type.getEnumConstants())
      .map(e -> e.name().toLowerCase(java.util.Locale.ROOT)).toList();
    throw new ConfigException(key(name), "must be " + String.join(" or ", names) + ", got \"" + v + "\"");
  }

  /** The keyword ranking's candidate depth: {@code keywordCandidates}, or {@code candidates} when that is 0. */
  public int keywordDepth() {
    return keywordCandidates > 0 ? keywordCandidates : candidates;
  }

  /** The vector ranking's candidate depth: {@code vectorCandidates}, or {@code candidates} when that is 0. */
  public int vectorDepth() {
    return vectorCandidates > 0 ? vectorCandidates : candidates;
  }

  private static boolean bool(JsonObject j, String name, boolean fallback) {
    Object v = j.getValue(name);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    String text = String.valueOf(v).trim().toLowerCase(java.util.Locale.ROOT);
    if (text.equals("true") || text.equals("false")) {
      return Boolean.parseBoolean(text);
    }
    throw new ConfigException(key(name), "must be true or false, got \"" + v + "\"");
  }

  private static void unit(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new ConfigException(key(name), "must be between 0 and 1, got " + value);
    }
  }

  private static void atLeast(String name, long value, long min) {
    if (value < min) {
      throw new ConfigException(key(name), "must be at least " + min + ", got " + value);
    }
  }

  private static String key(String name) {
    return "retrieval." + name;
  }
}
