package io.ganglion.bench.ann;

import io.ganglion.retrieval.index.ChunkRecord;
import io.ganglion.retrieval.index.Hit;
import io.ganglion.retrieval.index.IndexResources;
import io.ganglion.retrieval.index.KnowledgeBaseIndex;
import io.ganglion.retrieval.index.ReciprocalRankFusion;
import io.ganglion.retrieval.index.SearchMode;
import io.ganglion.retrieval.index.SearchQuery;
import io.ganglion.retrieval.index.VectorIndexConfig;
import io.ganglion.retrieval.index.VectorIndexStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The retrieval index itself at scale, one shard: {@code ShardScale <data dir> <size> <dimension> <work dir>}.
 * Rebuilds a one-shard {@link KnowledgeBaseIndex} from the data set streamed as chunk records (the PostgreSQL rebuild
 * path, minus PostgreSQL), then reports the shard's kind, build time, the memory it holds (heap after GC and native
 * memory from NMT, before/after; mapped pages apart), its files, recall@10 against exact search at the default beam
 * (candidates 100), filtered recall at 1% and 10% selectivity, QPS and p50/p99 latency at one thread (and QPS at
 * two) through {@link KnowledgeBaseIndex#search}, a snapshot and a reload from it (searched again), then, last since
 * it is the longest part, inserts into the reloaded shard (searchable at once) and the background merge they start
 * (it extends the graph with the inserts and rewrites its file). Prints {@code SCALE key value} lines, the load average before each part.
 */
public final class ShardScale {

  private static final Path LOADAVG = Path.of("/proc/loadavg");

  private ShardScale() {
  }

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    int size = Integer.parseInt(args[1]);
    int dimension = Integer.parseInt(args[2]);
    Path work = Path.of(args[3]);
    int inserts = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    double measure = args.length > 5 ? Double.parseDouble(args[5]) : 10;
    AnnData data = AnnData.open(root, size, dimension);
    float[][] queries = data.queries();
    int[][] truth = data.truth();
    // the defaults, but for what the run sets: -DpqSubspaces, -Dbeam, -DmergeThreads (2: both cores, nothing else runs)
    VectorIndexConfig d = VectorIndexConfig.DEFAULTS;
    VectorIndexConfig config = new VectorIndexConfig(d.diskAbove(), d.mergeAbove(),
      Integer.getInteger("pqSubspaces", d.pqSubspaces()), Integer.getInteger("beam", d.beam()),
      Integer.getInteger("mergeThreads", 2));
    print("config", config.toString());
    print("loadavg.start", Files.readString(LOADAVG).trim());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    ReciprocalRankFusion fusion = new ReciprocalRankFusion(60);
    // -Dsnapshot=DIR keeps the built shard's snapshot in DIR (outside the work dir) and, when DIR holds a complete one,
    // starts from it instead of rebuilding: a sweep of search beams needs no new 30-minute build
    Path kept = System.getProperty("snapshot") == null ? null : Path.of(System.getProperty("snapshot"));
    Path snapshot = kept != null ? kept : work.resolve("snapshot");
    Path complete = snapshot.resolveSibling(snapshot.getFileName() + ".complete");
    try (IndexResources resources = IndexResources.create(config)) {
      if (kept != null && Files.exists(complete)) {
        print("snapshot.reused", snapshot);
      } else {
        build(records(data), work, snapshot, resources, pool, fusion, data, queries, truth, measure);
        Files.writeString(complete, config.toString());
      }
      // -Dbeams=100,150,...: the shard reloaded once per search beam (retrieval.vectors.beam), recall and latency of each
      for (String b : System.getProperty("beams", "").split(",")) {
        if (b.isBlank()) {
          continue;
        }
        int beam = Integer.parseInt(b.trim());
        VectorIndexConfig at = new VectorIndexConfig(config.diskAbove(), config.mergeAbove(), config.pqSubspaces(),
          beam, config.mergeThreads());
        try (IndexResources r = IndexResources.create(at);
             KnowledgeBaseIndex loaded = KnowledgeBaseIndex.load(snapshot, work.resolve("beam-" + beam), r)) {
          print("loadavg.beam" + beam, Files.readString(LOADAVG).trim());
          search(loaded, pool, fusion, queries, truth, Math.min(measure, 5), "beam" + beam + ".");
        }
      }
      long l0 = System.nanoTime();
      try (KnowledgeBaseIndex loaded = KnowledgeBaseIndex.load(snapshot, work.resolve("reloaded"), resources)) {
        print("load.seconds", (System.nanoTime() - l0) / 1e9);
        print("loaded.kind", loaded.vectorStats().getFirst().kind().label());
        print("loadavg.loaded", Files.readString(LOADAVG).trim());
        search(loaded, pool, fusion, queries, truth, Math.min(measure, 3), "loaded.");
        // last (the merge extends the graph with the inserts and rewrites its file): inserts into the reloaded shard
        if (inserts > 0) {
          print("loadavg.insert", Files.readString(LOADAVG).trim());
          // new vectors land in the in-heap segment: each is found by its own vector right after its upsert returns
          AnnData.Generator more = new AnnData.Generator(dimension, 7);
          List<float[]> inserted = new ArrayList<>(inserts);
          long slowest = 0;
          int found = 0;
          long i0 = System.nanoTime();
          for (int i = 0; i < inserts; i++) {
            float[] v = more.next();
            inserted.add(v);
            ChunkRecord r = record(size + i, v);
            loaded.upsert(r.documentId(), List.of(r));
            if (i % 1000 == 0) {
              long s = System.nanoTime();
              List<Hit> hits = loaded.search(SearchQuery.of(null, r.vector(), SearchMode.VECTOR, 1), fusion, pool).join();
              slowest = Math.max(slowest, System.nanoTime() - s);
              found += !hits.isEmpty() && hits.getFirst().chunkId().equals(r.chunkId()) ? 1 : 0;
            }
          }
          print("insert.seconds", (System.nanoTime() - i0) / 1e9);
          print("insert.found.at.once", found + "/" + ((inserts + 999) / 1000));
          print("insert.search.max.ms", slowest / 1e6);
          if (inserts < config.mergeAfter(size)) {
            print("merge.skipped", inserts + " inserts start no merge into " + size + " vectors (it takes "
              + config.mergeAfter(size) + ")");
            return;
          }
          print("loadavg.merge", Files.readString(LOADAVG).trim());
          long m0 = System.nanoTime();
          while (loaded.vectorStats().getFirst().merges() == 0) {
            Thread.sleep(1000);
            if (System.nanoTime() - m0 > 3_600_000_000_000L) {
              throw new IllegalStateException("no merge within an hour");
            }
          }
          VectorIndexStats merged = loaded.vectorStats().getFirst();
          print("merge.seconds", merged.lastMergeMillis() / 1000.0);
          print("merge.vectors", merged.onDisk());
          print("merged.kind", merged.kind().label());
          // the inserts come from the same clusters: the exact neighbours now include them
          print("loadavg.merged", Files.readString(LOADAVG).trim());
          search(loaded, pool, fusion, queries, truthWith(data, queries, truth, inserted, size), Math.min(measure, 3),
            "merged.");
        }

      }
    } finally {
      pool.shutdownNow();
      print("loadavg.end", Files.readString(LOADAVG).trim());
    }
  }

  /** Rebuilds the shard as from PostgreSQL and measures it (memory, recall, latency, filters), then snapshots it. */
  private static void build(Iterable<ChunkRecord> records, Path work, Path snapshot, IndexResources resources,
                            ExecutorService pool, ReciprocalRankFusion fusion, AnnData data, float[][] queries,
                            int[][] truth, double measure) throws Exception {
    Memory.Sample before = Memory.sample();
    long t0 = System.nanoTime();
    KnowledgeBaseIndex index = KnowledgeBaseIndex.rebuild(1, records, work.resolve("live"), resources);
    print("rebuild.seconds", (System.nanoTime() - t0) / 1e9);
    Memory.Sample after = Memory.sample();
    VectorIndexStats stats = index.vectorStats().getFirst();
    print("kind", stats.kind().label());
    print("vectors", stats.vectors());
    print("heap.bytes.measured", after.heapUsed() - before.heapUsed());
    print("native.bytes.measured", after.nativeCommitted() - before.nativeCommitted());
    print("heap.bytes.estimated", stats.heapBytes());
    print("disk.bytes", stats.diskBytes());

    print("loadavg.search", Files.readString(LOADAVG).trim());
    search(index, pool, fusion, queries, truth, measure, "");
    print("mapped.resident.bytes", Memory.mappedResident(work));
    print("loadavg.filtered", Files.readString(LOADAVG).trim());
    filtered(index, pool, fusion, data, queries, "percent", "p5", 0.01);
    filtered(index, pool, fusion, data, queries, "tenth", "t3", 0.10);

    print("loadavg.snapshot", Files.readString(LOADAVG).trim());
    long s0 = System.nanoTime();
    index.snapshot(snapshot);
    print("snapshot.seconds", (System.nanoTime() - s0) / 1e9);
    print("snapshot.disk.bytes", Memory.directoryBytes(snapshot));
    index.close();
  }

  private static void search(KnowledgeBaseIndex index, ExecutorService pool, ReciprocalRankFusion fusion,
                             float[][] queries, int[][] truth, double seconds, String prefix) throws Exception {
    // the default beam: SearchQuery.of asks each ranking for max(topK, 100) candidates
    int[][] found = new int[queries.length][];
    for (int q = 0; q < queries.length; q++) {
      found[q] = ordinals(index.search(SearchQuery.of(null, queries[q], SearchMode.VECTOR, 10), fusion, pool).join());
    }
    print(prefix + "recall@10", AnnData.recall(truth, found));
    // one client thread: p50/p99 of the whole search (scatter, graph walk, rerank, fetching the hits' fields)
    long end = System.nanoTime() + (long) (seconds * 1e9);
    List<Long> latencies = new ArrayList<>();
    long start = System.nanoTime();
    for (int n = 0; System.nanoTime() < end; n++) {
      long s = System.nanoTime();
      index.search(SearchQuery.of(null, queries[n % queries.length], SearchMode.VECTOR, 10), fusion, pool).join();
      latencies.add(System.nanoTime() - s);
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    long[] lat = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    print(prefix + "qps.1", lat.length / elapsed);
    print(prefix + "p50.ms", lat[lat.length / 2] / 1e6);
    print(prefix + "p99.ms", lat[(int) (lat.length * 0.99)] / 1e6);
    // two client threads
    long[] counts = new long[2];
    long end2 = System.nanoTime() + (long) (seconds * 1e9);
    Thread[] clients = new Thread[2];
    for (int t = 0; t < 2; t++) {
      int me = t;
      clients[t] = Thread.ofPlatform().start(() -> {
        for (int n = me * 500; System.nanoTime() < end2; n++) {
          index.search(SearchQuery.of(null, queries[n % queries.length], SearchMode.VECTOR, 10), fusion, pool).join();
          counts[me]++;
        }
      });
    }
    for (Thread c : clients) {
      c.join();
    }
    print(prefix + "qps.2", (counts[0] + counts[1]) / seconds);
  }

  private static void filtered(KnowledgeBaseIndex index, ExecutorService pool, ReciprocalRankFusion fusion,
                               AnnData data, float[][] queries, String key, String value, double selectivity)
    throws IOException {
    int n = 100;
    int[][] expected = data.exactFiltered(key + "-" + value + "-" + n, Arrays.copyOf(queries, n),
      o -> value.equals(metadata(o).get(key)));
    int[][] found = new int[n][];
    long t0 = System.nanoTime();
    for (int q = 0; q < n; q++) {
      found[q] = ordinals(index.search(new SearchQuery(null, queries[q], SearchMode.VECTOR, 10, 100,
        Map.of(key, value)), fusion, pool).join());
    }
    String label = "filter" + Math.round(selectivity * 100) + "%";
    print(label + ".recall@10", AnnData.recall(expected, found));
    print(label + ".mean.ms", (System.nanoTime() - t0) / 1e6 / n);
  }

  /**
   * The exact top 10 of each query among the base vectors and {@code inserted} (ordinals from {@code first}): the
   * base's own exact top 10 ({@code truth}) rescored from its file, then every insert scored.
   */
  private static int[][] truthWith(AnnData data, float[][] queries, int[][] truth, List<float[]> inserted, int first)
    throws IOException {
    int dimension = queries[0].length;
    try (FileChannel file = FileChannel.open(data.dir.resolve("base.f32"), StandardOpenOption.READ)) {
      return java.util.stream.IntStream.range(0, queries.length).parallel().mapToObj(q -> {
        int n = truth[q].length + inserted.size();
        int[] ids = new int[n];
        float[] scores = new float[n];
        ByteBuffer row = ByteBuffer.allocate(dimension * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[dimension];
        for (int i = 0; i < truth[q].length; i++) {
          row.clear();
          try {
            file.read(row, (long) truth[q][i] * dimension * Float.BYTES);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          row.flip();
          row.asFloatBuffer().get(v);
          ids[i] = truth[q][i];
          scores[i] = org.apache.lucene.util.VectorUtil.dotProduct(queries[q], v);
        }
        for (int i = 0; i < inserted.size(); i++) {
          ids[truth[q].length + i] = first + i;
          scores[truth[q].length + i] = org.apache.lucene.util.VectorUtil.dotProduct(queries[q], inserted.get(i));
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
          order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
        int[] best = new int[AnnData.TOP_K];
        for (int i = 0; i < best.length; i++) {
          best[i] = ids[order[i]];
        }
        return best;
      }).toArray(int[][]::new);
    }
  }

  private static int[] ordinals(List<Hit> hits) {
    return hits.stream().mapToInt(h -> Integer.parseInt(h.documentId().substring(4))).toArray();
  }

  static Map<String, String> metadata(int ordinal) {
    return Map.of("percent", "p" + (ordinal % 100), "tenth", "t" + (ordinal % 10));
  }

  static ChunkRecord record(int ordinal, float[] vector) {
    String text = "chunk " + ordinal;
    return new ChunkRecord("doc-" + ordinal, "doc-" + ordinal + "#0", null, text, null, 0, text.length(),
      metadata(ordinal), vector);
  }

  /** The corpus as chunk records, read from the data set's file as they are consumed (never all on the heap). */
  private static Iterable<ChunkRecord> records(AnnData data) {
    return () -> new Iterator<>() {
      private final FileChannel ch = open(data.dir.resolve("base.f32"));
      private final ByteBuffer row = ByteBuffer.allocate(data.dimension * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      private int next;

      @Override
      public boolean hasNext() {
        return next < data.size;
      }

      @Override
      public ChunkRecord next() {
        try {
          row.clear();
          while (row.hasRemaining()) {
            ch.read(row, (long) next * row.capacity() + row.position());
          }
          row.flip();
          float[] v = new float[data.dimension];
          row.asFloatBuffer().get(v);
          return record(next++, v);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  private static FileChannel open(Path file) {
    try {
      return FileChannel.open(file, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void print(String key, Object value) {
    System.out.println("SCALE " + key + " " + (value instanceof Double d ? String.format("%.4f", d) : value));
  }
}
