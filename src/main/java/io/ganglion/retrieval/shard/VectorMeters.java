package io.ganglion.retrieval.shard;

import io.ganglion.retrieval.index.Shard;
import io.ganglion.retrieval.index.VectorIndexStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.ToDoubleFunction;

/**
 * The vector-index meters of the knowledge bases this node holds copies of, tagged {@code kb=<id>} and summed over its
 * copies of that knowledge base (loading or active; a copy's memory counts from its load): how many vectors, the bytes
 * they take on the heap and on disk (in total and per vector), how many of its copies are of each kind, and merges.
 * Read from {@link Shard#vectorStats()} at scrape time (no locks, no scans). A knowledge base's meters appear with its
 * first copy here and go with its last.
 * <p>
 * <b>NOTE</b>: thread-safe: {@link #add} and {@link #remove} (from the retrieval verticle's context) serialise; scrapes
 * and {@link #describe} read from any thread without locks.
 */
final class VectorMeters {

  private final MeterRegistry registry;
  /** This node's copies by knowledge base and shard. */
  private final ConcurrentMap<Long, ConcurrentMap<Integer, Replica>> copies = new ConcurrentHashMap<>();
  private final Map<Long, List<Meter>> meters = new HashMap<>();

  VectorMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Counts {@code r} from now on (its shard once it has one). */
  synchronized void add(Replica r) {
    long kbId = r.key.kbId();
    copies.computeIfAbsent(kbId, id -> new ConcurrentHashMap<>()).put(r.key.shard(), r);
    meters.computeIfAbsent(kbId, this::register);
  }

  /** Stops counting {@code r} (dropped, failed or closed); the knowledge base's meters go with its last copy. */
  synchronized void remove(Replica r) {
    long kbId = r.key.kbId();
    Map<Integer, Replica> mine = copies.get(kbId);
    if (mine == null || !mine.remove(r.key.shard(), r)) {
      return;
    }
    if (mine.isEmpty()) {
      copies.remove(kbId);
      List<Meter> registered = meters.remove(kbId);
      if (registered != null) {
        registered.forEach(registry::remove);
      }
    }
  }

  /** Per shard copy of the knowledge base here, what its vector index holds and where. */
  List<VectorIndexStats> stats(long kbId) {
    Map<Integer, Replica> mine = copies.getOrDefault(kbId, new ConcurrentHashMap<>());
    List<VectorIndexStats> out = new ArrayList<>(mine.size());
    for (Replica r : mine.values()) {
      Shard shard = r.shard;
      if (shard != null) {
        out.add(shard.vectorStats());
      }
    }
    return out;
  }

  /**
   * {@code [{"kb","vectors","heapBytes","diskBytes","shardKinds":{"<shard>":"heap|disk|disk-pq"}}]}, one entry per
   * knowledge base with a copy here, for the status reply.
   */
  JsonArray describe() {
    JsonArray kbs = new JsonArray();
    new TreeMap<>(copies).forEach((kbId, mine) -> {
      JsonObject kinds = new JsonObject();
      long heap = 0;
      long disk = 0;
      long vectors = 0;
      for (Map.Entry<Integer, Replica> e : new TreeMap<>(mine).entrySet()) {
        Shard shard = e.getValue().shard;
        if (shard == null) {
          continue;
        }
        VectorIndexStats s = shard.vectorStats();
        kinds.put(Integer.toString(e.getKey()), s.kind().label());
        heap += s.heapBytes();
        disk += s.diskBytes();
        vectors += s.vectors();
      }
      kbs.add(new JsonObject().put("kb", kbId).put("vectors", vectors).put("heapBytes", heap).put("diskBytes", disk)
        .put("shardKinds", kinds));
    });
    return kbs;
  }

  private List<Meter> register(long kbId) {
    String kb = Long.toString(kbId);
    List<Meter> mine = new ArrayList<>();
    mine.add(gauge("ganglion.retrieval.vector.count", kb, kbId, VectorIndexStats::vectors, null, "live vectors"));
    for (String memory : List.of("heap", "disk")) {
      ToDoubleFunction<VectorIndexStats> bytes = memory.equals("heap") ? VectorIndexStats::heapBytes
        : VectorIndexStats::diskBytes;
      mine.add(Gauge.builder("ganglion.retrieval.vector.bytes", this, m -> m.sum(kbId, bytes))
        .tags("kb", kb, "memory", memory).baseUnit("bytes")
        .description("bytes the knowledge base's vector indexes hold on this node (heap: vectors and their byte "
          + "codes, graphs, PQ codes, entries; disk: on-disk graphs with inline vectors)")
        .register(registry));
      mine.add(Gauge.builder("ganglion.retrieval.vector.bytes.per.vector", this, m -> {
          double vectors = m.sum(kbId, VectorIndexStats::vectors);
          return vectors == 0 ? 0 : m.sum(kbId, bytes) / vectors;
        })
        // no base unit: Prometheus names would append "_bytes" to a ratio already named for its unit
        .tags("kb", kb, "memory", memory)
        .description("bytes per live vector of the knowledge base on this node").register(registry));
    }
    for (VectorIndexStats.Kind kind : VectorIndexStats.Kind.values()) {
      mine.add(Gauge.builder("ganglion.retrieval.shards", this,
          m -> m.stats(kbId).stream().filter(s -> s.kind() == kind).count())
        .tags("kb", kb, "kind", kind.label())
        .description("shard copies of the knowledge base on this node by vector index kind (heap: in-heap graph; "
          + "heap-sq8: in-heap graph walked on byte codes, re-scored on float32; disk: on-disk graph walked with its "
          + "float32 vectors; disk-pq: on-disk graph walked with PQ codes)")
        .register(registry));
    }
    mine.add(FunctionCounter.builder("ganglion.retrieval.vector.merges", this, m -> m.sum(kbId, s -> s.merges()))
      .tags("kb", kb).description("merges of in-heap vector segments into on-disk graphs").register(registry));
    mine.add(Gauge.builder("ganglion.retrieval.vector.merge.last.seconds", this, m -> m.stats(kbId).stream()
        .mapToDouble(s -> s.lastMergeMillis() < 0 ? 0 : s.lastMergeMillis() / 1000.0).max().orElse(0))
      .tags("kb", kb).baseUnit("seconds").description("duration of the last merge").register(registry));
    return mine;
  }

  private Meter gauge(String name, String kb, long kbId, ToDoubleFunction<VectorIndexStats> value, String unit,
                      String description) {
    return Gauge.builder(name, this, m -> m.sum(kbId, value)).tags("kb", kb).baseUnit(unit).description(description)
      .register(registry);
  }

  private double sum(long kbId, ToDoubleFunction<VectorIndexStats> value) {
    return stats(kbId).stream().mapToDouble(value).sum();
  }
}
