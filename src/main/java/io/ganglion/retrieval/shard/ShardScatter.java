package io.ganglion.retrieval.shard;

import io.ganglion.cluster.Member;
import io.ganglion.retrieval.index.CorpusStatistics;
import io.ganglion.retrieval.index.Fusion;
import io.ganglion.retrieval.index.Hit;
import io.ganglion.retrieval.index.Rankings;
import io.ganglion.retrieval.index.SearchMode;
import io.ganglion.retrieval.index.SearchQuery;
import io.ganglion.retrieval.index.StoredChunk;
import io.ganglion.store.KbRepository;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One search over every shard of a knowledge base, wherever their active copies are. Each shard goes to one active
 * copy, this node's first; the steps are Elasticsearch's DFS query-then-fetch:
 * <ol>
 *   <li>keyword statistics from every shard (skipped with one shard or without keywords), summed;</li>
 *   <li>every shard's keyword ranking with the summed statistics, and its vector ranking;</li>
 *   <li>{@link Rankings}: merged, fused, cut to {@code topK}; the winners' fields fetched from the copies that ranked
 *       them.</li>
 * </ol>
 * Shards are grouped per node, one request per node per step. A copy that fails a step (its node died, timed out
 * after {@code cluster.shardTimeoutMs}, or dropped the copy) is retried on the shard's next active copy; a shard with
 * none left is counted failed and the result is partial. The same steps run the same merge as a single node holding
 * every shard, so a cluster returns the same hits and scores.
 * <p>
 * <b>NOTE</b>: runs on the retrieval verticle's context.
 */
public final class ShardScatter {

  /** How often a shard with no known active copy is looked up again (the directory may lag a new copy). */
  static final long ROUTE_RETRY_MS = 50;

  /** The hits of one search, and how many shards answered. */
  public record Result(List<Hit> hits, int total, int successful, int failed) {

    public boolean partial() {
      return failed > 0;
    }
  }

  private final Vertx vertx;
  private final ShardReplicas replicas;
  private final LocalShards local;
  private final long shardTimeoutMs;
  private final ReplicaMetrics metrics;

  ShardScatter(Vertx vertx, ShardReplicas replicas, LocalShards local, long shardTimeoutMs, ReplicaMetrics metrics) {
    this.vertx = vertx;
    this.replicas = replicas;
    this.local = local;
    this.shardTimeoutMs = shardTimeoutMs;
    this.metrics = metrics;
  }

  /**
   * Searches every shard of {@code kb} within {@code deadline} (epoch ms, {@code Long.MAX_VALUE}: none; a step still
   * queued for a worker when it passes is dropped). Never fails for a shard that could not answer: the result says so.
   */
  public Future<Result> search(KbRepository.Kb kb, SearchQuery query, Fusion fusion, long deadline) {
    return search(kb, query.mode() == SearchMode.VECTOR ? null : query, Future.succeededFuture(query), fusion, deadline);
  }

  /**
   * {@link #search(KbRepository.Kb, SearchQuery, Fusion, long)} of a query whose vector is still being computed: the
   * routing and the keyword statistics step, which need the text only, run meanwhile, and the rankings start when
   * {@code query} completes (a failed one fails the search).
   *
   * @param keywords the query's keyword part (its text, filters and scoring; any mode), or {@code null} for a vector
   *                 search
   */
  public Future<Result> search(KbRepository.Kb kb, SearchQuery keywords, Future<SearchQuery> query, Fusion fusion,
                               long deadline) {
    Map<Integer, Deque<ShardHost>> routes = new HashMap<>();
    Set<Integer> failed = new TreeSet<>();
    List<Future<Void>> routing = new ArrayList<>();
    Map<String, ShardHost> byNode = new HashMap<>();
    for (int s = 0; s < kb.shards(); s++) {
      int shard = s;
      routing.add(hosts(new ShardKey(kb.id(), s), System.currentTimeMillis() + shardTimeoutMs, byNode).map(hosts -> {
        if (hosts.isEmpty()) {
          failed.add(shard);
        } else {
          routes.put(shard, hosts);
        }
        return null;
      }));
    }
    return Future.all(routing).compose(v -> {
      Search search = new Search(kb, keywords, fusion, deadline, routes, failed);
      return search.run(query).map(hits -> {
        if (!failed.isEmpty()) {
          metrics.partial();
        }
        return new Result(hits, kb.shards(), kb.shards() - failed.size(), failed.size());
      });
    });
  }

  /**
   * The hosts to try for a shard, in order: this node when its copy is active, then the other active copies (one
   * host object per node, so a step sends one request per node). With no active copy anywhere it waits for this
   * node's loading copy; while a copy is loading elsewhere, or the knowledge base is new here (the directory may not
   * show a fresh copy yet), it looks again until {@code deadline}.
   */
  private Future<Deque<ShardHost>> hosts(ShardKey key, long deadline, Map<String, ShardHost> byNode) {
    Deque<ShardHost> hosts = new ArrayDeque<>();
    if (replicas.active(key) != null) {
      hosts.add(local);
    }
    for (Member m : replicas.activeCopies(key)) {
      if (!m.id().equals(local.nodeId())) {
        hosts.add(byNode.computeIfAbsent(m.vertxId(), id -> new RemoteShards(vertx, m, shardTimeoutMs)));
      }
    }
    if (!hosts.isEmpty()) {
      return Future.succeededFuture(hosts);
    }
    Future<Void> loadingHere = replicas.whenActive(key);
    if (loadingHere != null) {
      // this node's copy is still loading (a single node just started): the search waits for it
      return loadingHere.transform(ar -> hosts(key, System.currentTimeMillis() + shardTimeoutMs, byNode));
    }
    if (System.currentTimeMillis() >= deadline || !replicas.mayAppear(key)) {
      return Future.succeededFuture(hosts);
    }
    Promise<Deque<ShardHost>> later = Promise.promise();
    vertx.setTimer(ROUTE_RETRY_MS, t -> hosts(key, deadline, byNode).onComplete(later));
    return later.future();
  }

  /** The state of one search: which host each shard is on now, and which shards gave up. */
  private final class Search {
    final KbRepository.Kb kb;
    final SearchQuery keywords;
    final Fusion fusion;
    final long deadline;
    final Map<Integer, Deque<ShardHost>> routes;
    final Set<Integer> failed;

    Search(KbRepository.Kb kb, SearchQuery keywords, Fusion fusion, long deadline, Map<Integer, Deque<ShardHost>> routes,
           Set<Integer> failed) {
      this.kb = kb;
      this.keywords = keywords;
      this.fusion = fusion;
      this.deadline = deadline;
      this.routes = routes;
      this.failed = failed;
    }

    Future<List<Hit>> run(Future<SearchQuery> complete) {
      Future<CorpusStatistics> global = keywords == null || kb.shards() == 1
        ? Future.succeededFuture(null) // one shard's own statistics are the global ones
        : step(live(), (host, shards) -> host.statistics(kb.id(), shards, keywords, deadline))
          .map(stats -> stats.values().stream().reduce(CorpusStatistics.EMPTY, CorpusStatistics::plus));
      return Future.all(global, complete).compose(both -> rank(complete.result(), global.result()));
    }

    private Future<List<Hit>> rank(SearchQuery query, CorpusStatistics global) {
      return step(live(), (host, shards) -> host.rank(kb.id(), shards, query, global, deadline))
        .compose(ranked -> {
          List<Rankings.Located> keywordHits = new ArrayList<>();
          List<Rankings.Located> vectorHits = new ArrayList<>();
          ranked.values().forEach(r -> {
            keywordHits.addAll(r.keyword());
            vectorHits.addAll(r.vector());
          });
          Rankings.Fused fused = Rankings.fuse(query, fusion, Rankings.best(keywordHits,
            query.keywordCandidates()), Rankings.best(vectorHits, query.vectorCandidates()));
          Map<Integer, List<String>> ids = fused.idsByShard();
          return step(ids.keySet(), (host, shards) -> {
            Map<Integer, List<String>> mine = new LinkedHashMap<>();
            shards.forEach(s -> mine.put(s, ids.get(s)));
            return host.fetch(kb.id(), mine, deadline);
          }).map(stored -> {
            Map<String, StoredChunk> all = new HashMap<>();
            stored.values().forEach(all::putAll);
            return Rankings.hits(fused, all);
          });
        });
    }

    /** The shards still in the search. */
    Set<Integer> live() {
      return new TreeSet<>(routes.keySet());
    }

    /**
     * Runs one step for {@code shards}, grouped by their current host; the shards of a host that failed move to their
     * next copy and run again, until each answered or has no copy left (then it leaves the search).
     */
    <T> Future<Map<Integer, T>> step(Set<Integer> shards, StepCall<T> call) {
      Map<Integer, T> results = new HashMap<>();
      return attempt(new TreeSet<>(shards), call, results).map(v -> results);
    }

    private <T> Future<Void> attempt(Set<Integer> shards, StepCall<T> call, Map<Integer, T> results) {
      Map<ShardHost, List<Integer>> groups = new LinkedHashMap<>();
      for (int s : shards) {
        Deque<ShardHost> hosts = routes.get(s);
        if (hosts != null && !hosts.isEmpty()) {
          groups.computeIfAbsent(hosts.peekFirst(), h -> new ArrayList<>()).add(s);
        }
      }
      Set<Integer> retry = new TreeSet<>();
      List<Future<Void>> calls = new ArrayList<>();
      groups.forEach((host, group) -> calls.add(call.run(host, group).transform(ar -> {
        if (ar.succeeded()) {
          results.putAll(ar.result());
        } else {
          for (int s : group) {
            Deque<ShardHost> hosts = routes.get(s);
            hosts.pollFirst();
            if (hosts.isEmpty()) {
              routes.remove(s);
              failed.add(s);
            } else {
              metrics.retried();
              retry.add(s);
            }
          }
        }
        return Future.<Void>succeededFuture();
      })));
      return Future.join(calls).transform(ignored -> retry.isEmpty() ? Future.succeededFuture()
        : attempt(retry, call, results));
    }
  }

  @FunctionalInterface
  private interface StepCall<T> {
    Future<Map<Integer, T>> run(ShardHost host, List<Integer> shards);
  }
}
