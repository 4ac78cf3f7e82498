package io.ganglion.retrieval.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One search over all shards of a {@link KnowledgeBaseIndex} held in this process, as a chain of tasks on the
 * supplied executor that never blocks a thread on another:
 * <ol>
 *   <li>keyword statistics from every shard, summed (skipped with one shard), and the vector search on every shard;</li>
 *   <li>the keyword search on every shard with the global statistics;</li>
 *   <li>{@link Rankings}: each ranking merged to its top {@code keywordCandidates} or {@code vectorCandidates},
 *       fused (chunk by chunk, or document by document), cut to {@code topK}, and the
 *       survivors' stored fields read from their shards.</li>
 * </ol>
 */
final class ScatterSearch {

  private final List<Shard> shards;
  private final ShardQuery query;
  private final Fusion fusion;
  private final Executor executor;

  ScatterSearch(List<Shard> shards, SearchQuery query, Fusion fusion, Executor executor) {
    this.shards = shards;
    this.query = ShardQuery.of(query);
    this.fusion = fusion;
    this.executor = executor;
  }

  CompletableFuture<List<Hit>> run() {
    CompletableFuture<List<Rankings.Located>> vector = !query.vector()
      ? CompletableFuture.completedFuture(List.of())
      : onEveryShard(i -> shards.get(i).vector(query), query.query().vectorCandidates());
    CompletableFuture<List<Rankings.Located>> keyword = !query.keyword()
      ? CompletableFuture.completedFuture(List.of())
      : globalStatistics().thenCompose(global -> onEveryShard(i -> shards.get(i).keyword(query, global),
          query.query().keywordCandidates()));
    return keyword.thenCombine(vector, (k, v) -> Rankings.fuse(query.query(), fusion, k, v))
      .thenApplyAsync(this::hydrate, executor);
  }

  private CompletableFuture<CorpusStatistics> globalStatistics() {
    if (shards.size() == 1) {
      return CompletableFuture.completedFuture(null); // local statistics are the global ones
    }
    List<CompletableFuture<CorpusStatistics>> perShard = new ArrayList<>();
    for (Shard shard : shards) {
      perShard.add(CompletableFuture.supplyAsync(() -> io(() -> shard.statistics(query)), executor));
    }
    return CompletableFuture.allOf(perShard.toArray(CompletableFuture[]::new)).thenApply(v -> perShard.stream()
      .map(CompletableFuture::join)
      .reduce(CorpusStatistics.EMPTY, CorpusStatistics::plus));
  }

  private CompletableFuture<List<Rankings.Located>> onEveryShard(ShardTask task, int candidates) {
    List<CompletableFuture<List<Rankings.Located>>> perShard = new ArrayList<>();
    for (int i = 0; i < shards.size(); i++) {
      int shard = i;
      perShard.add(CompletableFuture.supplyAsync(() -> Rankings.located(shard, io(() -> task.run(shard))), executor));
    }
    return CompletableFuture.allOf(perShard.toArray(CompletableFuture[]::new)).thenApply(v -> Rankings.best(
      perShard.stream().flatMap(f -> f.join().stream()).toList(), candidates));
  }

  private List<Hit> hydrate(Rankings.Fused fused) {
    Map<String, StoredChunk> stored = new HashMap<>();
    fused.idsByShard().forEach((shard, ids) -> stored.putAll(io(() -> shards.get(shard).fetch(ids))));
    return Rankings.hits(fused, stored);
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
