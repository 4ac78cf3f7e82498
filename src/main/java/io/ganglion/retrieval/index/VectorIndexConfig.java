package io.ganglion.retrieval.index;

import io.ganglion.config.ConfigException;
import io.ganglion.config.ConfigReader;
import io.vertx.core.json.JsonObject;

/**
 * How shards hold their vectors, read once from {@code retrieval.vectors}. A shard below {@code diskAbove} vectors keeps
 * them on the heap as float32 with an in-heap JVector graph; at {@code diskAbove} it moves them to an immutable
 * on-disk graph (memory-mapped, float32 vectors inline), walked with those vectors through the page cache or, with
 * {@code pqSubspaces > 0}, with product-quantized codes held on the heap and the best candidates reranked exactly with
 * the inline vectors. New vectors always land in an in-heap segment searched alongside; once it holds
 * {@code mergeAbove} vectors, and at least a tenth of the on-disk graph's size, a background merge folds it into a new
 * on-disk graph. {@code bench/ann.sh} measures the kinds against each other; {@code bench/RESULTS.md} records why
 * these defaults.
 *
 * @param diskAbove vectors in a shard from which it is held as an on-disk graph; at least 1024
 * @param mergeAbove vectors in the in-heap segment of an on-disk shard that start a background merge (and at least a
 *                   tenth of the on-disk segment's: each merge rewrites the segment's file and rescores its edges)
 * @param pqSubspaces 0: walk on-disk graphs with their float32 vectors; N: with N-byte PQ codes on the heap (at most
 *                    the dimension), reranking the beam exactly
 * @param beam the search beam of every segment (candidates kept and, with PQ, reranked), at least the hits asked
 *             for; 0: automatic, the hits asked for ({@code retrieval.candidates} per ranking), four times that for a
 *             PQ walk (its codes rank candidates coarsely; the beam is what reranking can fix), widened on on-disk
 *             segments larger than {@link #BEAM_GROWS_FROM} vectors ({@link #beamFor})
 * @param mergeThreads threads one merge or bulk graph build uses; merges run one at a time per node
 */
public record VectorIndexConfig(int diskAbove, int mergeAbove, int pqSubspaces, int beam, int mergeThreads) {

  public static final VectorIndexConfig DEFAULTS = new VectorIndexConfig(100_000, 20_000, 0, 0, 1);

  public VectorIndexConfig {
    if (diskAbove < 1024) {
      throw new ConfigException("retrieval.vectors.diskAbove", "must be at least 1024, got " + diskAbove);
    }
    if (mergeAbove < 1) {
      throw new ConfigException("retrieval.vectors.mergeAbove", "must be at least 1, got " + mergeAbove);
    }
    if (pqSubspaces < 0) {
      throw new ConfigException("retrieval.vectors.pqSubspaces", "must be 0 (no PQ) or positive, got " + pqSubspaces);
    }
    if (beam < 0) {
      throw new ConfigException("retrieval.vectors.beam", "must be 0 (the hits asked for) or positive, got " + beam);
    }
    if (mergeThreads < 1) {
      throw new ConfigException("retrieval.vectors.mergeThreads", "must be at least 1, got " + mergeThreads);
    }
  }

  /** Reads {@code retrieval.vectors}; absent keys take {@link #DEFAULTS}. */
  public static VectorIndexConfig from(JsonObject retrieval) {
    ConfigReader r = new ConfigReader(retrieval, "retrieval").child("vectors");
    VectorIndexConfig d = DEFAULTS;
    return new VectorIndexConfig(
      r.integer("diskAbove", d.diskAbove, 1024, Integer.MAX_VALUE),
      r.integer("mergeAbove", d.mergeAbove, 1, Integer.MAX_VALUE),
      r.integer("pqSubspaces", d.pqSubspaces, 0, 65_536),
      r.integer("beam", d.beam, 0, 100_000),
      r.integer("mergeThreads", d.mergeThreads, 1, 256));
  }

  /** The PQ subspace count for vectors of {@code dimension}, 0 without PQ. */
  int subspacesFor(int dimension) {
    return Math.min(pqSubspaces, dimension);
  }

  /**
   * The beam for a search asking for {@code k} hits in a segment of {@code vectors} vectors, walking with PQ codes or
   * not. The automatic beam ({@code beam: 0}) of a float32 walk is {@code k} up to {@link #BEAM_GROWS_FROM} vectors
   * and grows with the square root of the segment's size beyond ({@code k * sqrt(vectors / BEAM_GROWS_FROM)}): at a
   * fixed beam, recall falls as the graph grows ({@code bench/RESULTS.md}, "Recall at the default beam").
   */
  int beamFor(int k, boolean quantized, int vectors) {
    if (beam > 0) {
      return Math.max(k, beam);
    }
    int base = quantized ? PQ_OVERQUERY * k : k;
    if (vectors <= BEAM_GROWS_FROM) {
      return base;
    }
    return (int) Math.ceil(base * Math.sqrt(vectors / (double) BEAM_GROWS_FROM));
  }

  /**
   * The in-heap vectors that start a background merge into an on-disk graph of {@code diskVectors}: at least
   * {@code mergeAbove} and a tenth of the graph (a merge extends the graph but still rewrites its file and rescores its
   * edges: waiting for a tenth of its size keeps that cost linear in the inserts).
   */
  public int mergeAfter(int diskVectors) {
    return Math.max(mergeAbove, diskVectors / MERGE_FRACTION);
  }

  /** A merge waits for at least 1/10 of the disk segment's size in new vectors. */
  static final int MERGE_FRACTION = 10;

  /** Segment size up to which the automatic beam is the hits asked for; larger segments walk a wider beam. */
  static final int BEAM_GROWS_FROM = 100_000;

  /** The automatic beam of a PQ walk, in hits asked for (JVector's own benchmarks overquery 1 to 10 times). */
  static final int PQ_OVERQUERY = 4;
}
