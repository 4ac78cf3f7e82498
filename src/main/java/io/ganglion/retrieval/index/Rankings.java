package io.ganglion.retrieval.index;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How the per-shard rankings of one search become its hits, wherever the shards are: each ranking's entries from all
 * shards merged best first and cut to {@code candidates}; the two rankings fused (hybrid) or taken as they are; the
 * result cut to {@code topK}; the stored fields of the survivors read from their shards. Merging the shards' top
 * {@code n} lists in any grouping (per node first, then across nodes) gives the same list, so a cluster ranks exactly
 * as one node holding every shard. Pure functions.
 */
public final class Rankings {

  /** Best score first, then chunk id: a total order, so every merge is deterministic. */
  public static final Comparator<Located> BEST_FIRST = Comparator
    .comparingDouble((Located l) -> l.chunk().score()).reversed()
    .thenComparing(l -> l.chunk().chunkId());

  /** A chunk found on a given shard. */
  public record Located(int shard, ScoredChunk chunk) {
  }

  /** A fused ranking cut to {@code topK}, and the shard each of its chunks came from (to fetch its fields there). */
  public record Fused(List<FusedChunk> ranking, Map<String, Integer> shardOf) {

    /** The chunk ids to fetch, per shard. */
    public Map<Integer, List<String>> idsByShard() {
      Map<Integer, List<String>> out = new HashMap<>();
      ranking.forEach(f -> out.computeIfAbsent(shardOf.get(f.chunkId()), s -> new ArrayList<>()).add(f.chunkId()));
      return out;
    }
  }

  private Rankings() {
  }

  /** The best {@code n} of {@code entries}. */
  public static List<Located> best(Collection<Located> entries, int n) {
    return entries.stream().sorted(BEST_FIRST).limit(n).toList();
  }

  /** One shard's ranking, located. */
  public static List<Located> located(int shard, List<ScoredChunk> ranking) {
    return ranking.stream().map(c -> new Located(shard, c)).toList();
  }

  /** Fuses the merged keyword and vector rankings as {@code query.mode()} says and keeps the best {@code topK}. */
  public static Fused fuse(SearchQuery query, Fusion fusion, List<Located> keyword, List<Located> vector) {
    Map<String, Integer> shardOf = new HashMap<>();
    keyword.forEach(l -> shardOf.put(l.chunk().chunkId(), l.shard()));
    vector.forEach(l -> shardOf.put(l.chunk().chunkId(), l.shard()));
    List<ScoredChunk> keywordChunks = keyword.stream().map(Located::chunk).toList();
    List<ScoredChunk> vectorChunks = vector.stream().map(Located::chunk).toList();
    List<FusedChunk> ranking = rankChunks(query, fusion, keywordChunks, vectorChunks);
    if (query.byDocument()) {
      Map<String, String> documentOf = new HashMap<>();
      shardOf.keySet().forEach(chunk -> documentOf.put(chunk, ChunkRecord.documentOf(chunk)));
      ranking = DocumentRanking.rank(keywordChunks, vectorChunks, ranking, documentOf,
        (k, v) -> rankChunks(query, fusion, k, v));
    }
    return new Fused(ranking.subList(0, Math.min(query.topK(), ranking.size())), shardOf);
  }

  private static List<FusedChunk> rankChunks(SearchQuery query, Fusion fusion, List<ScoredChunk> keyword,
                                             List<ScoredChunk> vector) {
    return switch (query.mode()) {
      case KEYWORD -> keyword.stream().map(c -> new FusedChunk(c.chunkId(), c.score(), c.score(), null)).toList();
      case VECTOR -> vector.stream().map(c -> new FusedChunk(c.chunkId(), c.score(), null, c.score())).toList();
      case HYBRID -> fusion.fuse(keyword, vector);
    };
  }

  /** The hits of a fused ranking, in order; a chunk whose fields were not found (deleted meanwhile) is left out. */
  public static List<Hit> hits(Fused fused, Map<String, StoredChunk> stored) {
    List<Hit> hits = new ArrayList<>(fused.ranking().size());
    for (FusedChunk f : fused.ranking()) {
      StoredChunk s = stored.get(f.chunkId());
      if (s != null) {
        hits.add(new Hit(s.documentId(), s.chunkId(), s.title(), s.text(), s.start(), s.end(), f.score(),
          f.keywordScore(), f.vectorScore(), s.injection()));
      }
    }
    return hits;
  }
}
