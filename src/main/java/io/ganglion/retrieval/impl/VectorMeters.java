package io.ganglion.retrieval.impl;

import io.ganglion.retrieval.index.KnowledgeBaseIndex;
import io.ganglion.retrieval.index.VectorIndexStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The vector-index meters of the knowledge bases open on this node, tagged {@code kb=<id>}: how many vectors, the
 * bytes they take on the heap and on disk (in total and per vector), how many shards are of each kind, and merges.
 * Read from {@link KnowledgeBaseIndex#vectorStats()} at scrape time (no locks, no scans).
 * <p>
 * <b>NOTE</b>: {@link #add} and {@link #remove} run on the retrieval verticle's context; scrapes read from any thread.
 */
final class VectorMeters {

  private final MeterRegistry registry;
  private final Map<Long, List<Meter>> meters = new HashMap<>();

  VectorMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  void add(long kbId, KnowledgeBaseIndex index) {
    remove(kbId);
    String kb = Long.toString(kbId);
    List<Meter> mine = new ArrayList<>();
    mine.add(gauge("ganglion.retrieval.vector.count", kb, index, s -> s.vectors(), null, "live vectors"));
    for (String memory : List.of("heap", "disk")) {
      ToDoubleFunction<VectorIndexStats> bytes = memory.equals("heap") ? VectorIndexStats::heapBytes
        : VectorIndexStats::diskBytes;
      mine.add(Gauge.builder("ganglion.retrieval.vector.bytes", index, i -> sum(i, bytes))
        .tags("kb", kb, "memory", memory).baseUnit("bytes")
        .description("bytes the knowledge base's vector indexes hold on this node (heap: vectors, graphs, PQ codes, "
          + "entries; disk: on-disk graphs with inline vectors)")
        .register(registry));
      mine.add(Gauge.builder("ganglion.retrieval.vector.bytes.per.vector", index, i -> {
          double vectors = sum(i, VectorIndexStats::vectors);
          return vectors == 0 ? 0 : sum(i, bytes) / vectors;
        })
        // no base unit: Prometheus names would append "_bytes" to a ratio already named for its unit
        .tags("kb", kb, "memory", memory)
        .description("bytes per live vector of the knowledge base on this node").register(registry));
    }
    for (VectorIndexStats.Kind kind : VectorIndexStats.Kind.values()) {
      mine.add(Gauge.builder("ganglion.retrieval.shards", index,
          i -> i.vectorStats().stream().filter(s -> s.kind() == kind).count())
        .tags("kb", kb, "kind", kind.label())
        .description("shards of the knowledge base on this node by vector index kind (heap: in-heap graph; disk: "
          + "on-disk graph walked with its float32 vectors; disk-pq: on-disk graph walked with PQ codes)")
        .register(registry));
    }
    mine.add(FunctionCounter.builder("ganglion.retrieval.vector.merges", index, i -> sum(i, s -> s.merges()))
      .tags("kb", kb).description("merges of in-heap vector segments into on-disk graphs").register(registry));
    mine.add(gauge("ganglion.retrieval.vector.merge.last.seconds", kb, index,
      s -> s.lastMergeMillis() < 0 ? 0 : s.lastMergeMillis() / 1000.0, "seconds", "duration of the last merge"));
    meters.put(kbId, mine);
  }

  void remove(long kbId) {
    List<Meter> mine = meters.remove(kbId);
    if (mine != null) {
      mine.forEach(registry::remove);
    }
  }

  private Meter gauge(String name, String kb, KnowledgeBaseIndex index, ToDoubleFunction<VectorIndexStats> value,
                      String unit, String description) {
    return Gauge.builder(name, index, i -> name.endsWith("seconds")
        ? i.vectorStats().stream().mapToDouble(value).max().orElse(0) : sum(i, value))
      .tags("kb", kb).baseUnit(unit).description(description).register(registry);
  }

  private static double sum(KnowledgeBaseIndex index, ToDoubleFunction<VectorIndexStats> value) {
    return index.vectorStats().stream().mapToDouble(value).sum();
  }
}
