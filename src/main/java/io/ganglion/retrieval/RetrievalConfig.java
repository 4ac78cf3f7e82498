package io.ganglion.retrieval;

import io.ganglion.config.ConfigException;
import io.ganglion.retrieval.index.ReciprocalRankFusion;
import io.ganglion.retrieval.index.WeightedScoreFusion;
import io.vertx.core.json.JsonObject;

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
 * @param maxDocumentsPerRequest the most documents one ingestion request may carry
 * @param maxFileBytes the largest file an ingestion request may upload
 * @param asyncThreshold ingestion requests with more documents than this run as a background job
 * @param reranker the cross-encoder (an {@code inference.models} name of kind reranker) that reorders hits; empty
 *                 for none
 * @param rerankCandidates how many fused hits the reranker rescores
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
  int maxDocumentsPerRequest,
  long maxFileBytes,
  int asyncThreshold,
  String reranker,
  int rerankCandidates) {

  /** How hybrid search merges its two rankings. */
  public enum Fusion {
    /** Reciprocal-rank fusion: ranks only, robust to score scales. */
    RRF,
    /** Min-max normalised scores, combined by {@code vectorWeight}. */
    WEIGHTED
  }

  public static final RetrievalConfig DEFAULTS =
    new RetrievalConfig(4, 4, 256, 32, Fusion.WEIGHTED, 60, 0.6, 100, 100, 20L * 1024 * 1024, 20, "", 30);

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
    if (!(vectorWeight >= 0 && vectorWeight <= 1)) {
      throw new ConfigException(key("vectorWeight"), "must be between 0 and 1, got " + vectorWeight);
    }
    atLeast("candidates", candidates, 1);
    atLeast("maxDocumentsPerRequest", maxDocumentsPerRequest, 1);
    if (maxFileBytes < 1) {
      throw new ConfigException(key("maxFileBytes"), "must be at least 1, got " + maxFileBytes);
    }
    atLeast("asyncThreshold", asyncThreshold, 0);
    atLeast("rerankCandidates", rerankCandidates, 1);
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
      fusion(j, d.fusion),
      integer(j, "rrfK", d.rrfK),
      number(j, "vectorWeight", d.vectorWeight).doubleValue(),
      integer(j, "candidates", d.candidates),
      integer(j, "maxDocumentsPerRequest", d.maxDocumentsPerRequest),
      number(j, "maxFileBytes", d.maxFileBytes).longValue(),
      integer(j, "asyncThreshold", d.asyncThreshold),
      j.getValue("reranker") instanceof String r ? r.trim() : d.reranker,
      integer(j, "rerankCandidates", d.rerankCandidates));
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

  private static Fusion fusion(JsonObject j, Fusion fallback) {
    Object v = j.getValue("fusion");
    if (v == null) {
      return fallback;
    }
    return switch (String.valueOf(v).trim().toLowerCase(java.util.Locale.ROOT)) {
      case "rrf" -> Fusion.RRF;
      case "weighted" -> Fusion.WEIGHTED;
      default -> throw new ConfigException(key("fusion"), "must be rrf or weighted, got \"" + v + "\"");
    };
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
