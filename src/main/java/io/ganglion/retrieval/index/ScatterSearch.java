package io.ganglion.retrieval.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.lucene.search.Query;

/**
 * One search over all shards, as a chain of tasks on the supplied executor that never blocks a thread on another:
 * <ol>
 *   <li>keyword statistics from every shard, summed (skipped with one shard), and the vector search on every shard;</li>
 *   <li>the keyword search on every shard with the global statistics;</li>
 *   <li>each ranking merged to its top candidates ({@code keywordCandidates}, {@code vectorCandidates}), fused
 *       ({@link DocumentRanking} when the query ranks by document), cut to {@code topK}, and the survivors' stored
 *       fields read from their shards.</li>
 * </ol>
 */
final class ScatterSearch {

  private static final Comparator<Located> BEST_FIRST = Comparator
    .comparingDouble((Located l) -> l.chunk().score()).reversed()
    .thenComparing(l -> l.chunk().chunkId());

  private final List<Shard> shards;
  private final SearchQuery query;
  private final Fusion fusion;
  private final Executor executor;

  ScatterSearch(List<Shard> shards, SearchQuery query, Fusion fusion, Executor executor) {
    this.shards = shards;
    this.query = query;
    this.fusion = fusion;
    this.executor = executor;
  }

  /** A chunk found on a given shard. */
  private record Located(int shard, ScoredChunk chunk) { }

  CompletableFuture<List<Hit>> run() {
    Query keywordQuery = query.mode() == SearchMode.VECTOR ? null
      : KeywordQuery.build(shards.getFirst().analyzer(), query.text(), query.filters(), query.scoring());
    CompletableFuture<List<Located>> vector = query.mode() == SearchMode.KEYWORD
      ? CompletableFuture.completedFuture(List.of())
      : onEveryShard(i -> shards.get(i).vectorSearch(query.vector(), query.vectorCandidates(), query.filters()),
          query.vectorCandidates());
    CompletableFuture<List<Located>> keyword = keywordQuery == null
      ? CompletableFuture.completedFuture(List.of())
      : globalStatistics(keywordQuery).thenCompose(global ->
          onEveryShard(i -> shards.get(i).keywordSearch(keywordQuery, global, query.keywordCandidates(), query.scoring()),
            query.keywordCandidates()));
    return keyword.thenCombine(vector, this::fuse).thenApplyAsync(this::hydrate, executor);
  }

  private CompletableFuture<CorpusStatistics> globalStatistics(Query keywordQuery) {
    if (shards.size() == 1) {
      return CompletableFuture.completedFuture(null); // local statistics are the global ones
    }
    List<CompletableFuture<CorpusStatistics>> perShard = new ArrayList<>();
    for (Shard shard : shards) {
      perShard.add(CompletableFuture.supplyAsync(() -> io(() -> shard.statistics(keywordQuery)), executor));
    }
    return CompletableFuture.allOf(perShard.toArray(CompletableFuture[]::new)).thenApply(v -> perShard.stream()
      .map(CompletableFuture::join)
      .reduce(CorpusStatistics.EMPTY, CorpusStatistics::plus));
  }

  private CompletableFuture<List<Located>> onEveryShard(ShardTask task, int limit) {
    List<CompletableFuture<List<Located>>> perShard = new ArrayList<>();
    for (int i = 0; i < shards.size(); i++) {
      int shard = i;
      perShard.add(CompletableFuture.supplyAsync(
        () -> io(() -> task.run(shard)).stream().map(c -> new Located(shard, c)).toList(), executor));
    }
    return CompletableFuture.allOf(perShard.toArray(CompletableFuture[]::new)).thenApply(v -> perShard.stream()
      .flatMap(f -> f.join().stream())
      .sorted(BEST_FIRST)
      .limit(limit)
      .toList());
  }

  private record Fused(List<FusedChunk> ranking, Map<String, Integer> shardOf) { }

  private Fused fuse(List<Located> keyword, List<Located> vector) {
    Map<String, Integer> shardOf = new HashMap<>();
    keyword.forEach(l -> shardOf.put(l.chunk().chunkId(), l.shard()));
    vector.forEach(l -> shardOf.put(l.chunk().chunkId(), l.shard()));
    List<ScoredChunk> keywordChunks = keyword.stream().map(Located::chunk).toList();
    List<ScoredChunk> vectorChunks = vector.stream().map(Located::chunk).toList();
    List<FusedChunk> ranking = rankChunks(keywordChunks, vectorChunks);
    if (query.byDocument()) {
      ranking = DocumentRanking.rank(keywordChunks, vectorChunks, ranking, documentIds(shardOf), this::rankChunks);
    }
    return new Fused(ranking.subList(0, Math.min(query.topK(), ranking.size())), shardOf);
  }

  private List<FusedChunk> rankChunks(List<ScoredChunk> keyword, List<ScoredChunk> vector) {
    return switch (query.mode()) {
      case KEYWORD -> keyword.stream().map(c -> new FusedChunk(c.chunkId(), c.score(), c.score(), null)).toList();
      case VECTOR -> vector.stream().map(c -> new FusedChunk(c.chunkId(), c.score(), null, c.score())).toList();
      case HYBRID -> fusion.fuse(keyword, vector);
    };
  }

  /** The document of every candidate, read from the keyword index of its shard. */
  private Map<String, String> documentIds(Map<String, Integer> shardOf) {
    Map<Integer, List<String>> idsByShard = new HashMap<>();
    shardOf.forEach((chunk, shard) -> idsByShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(chunk));
    Map<String, String> documents = new HashMap<>();
    idsByShard.forEach((shard, ids) -> documents.putAll(io(() -> shards.get(shard).documentIds(ids))));
    return documents;
  }

  private List<Hit> hydrate(Fused fused) {
    Map<Integer, List<String>> idsByShard = new HashMap<>();
    fused.ranking().forEach(f -> idsByShard.computeIfAbsent(fused.shardOf().get(f.chunkId()), s -> new ArrayList<>())
      .add(f.chunkId()));
    Map<String, StoredChunk> stored = new HashMap<>();
    idsByShard.forEach((shard, ids) -> stored.putAll(io(() -> shards.get(shard).fetch(ids))));
    List<Hit> hits = new ArrayList<>(fused.ranking().size());
    for (FusedChunk f : fused.ranking()) {
      StoredChunk s = stored.get(f.chunkId());
      if (s != null) { // deleted between ranking and fetching
        hits.add(new Hit(s.documentId(), s.chunkId(), s.title(), s.text(), s.start(), s.end(), f.score(),
          f.keywordScore(), f.vectorScore()));
      }
    }
    return hits;
  }

  @FunctionalInterface
  private interface ShardTask {
    List<ScoredChunk> run(int shard) throws IOException;
  }

  @FunctionalInterface
  private interface IoSupplier<T> {
    T get() throws IOException;
  }

  private static <T> T io(IoSupplier<T> task) {
    try {
      return task.get();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
