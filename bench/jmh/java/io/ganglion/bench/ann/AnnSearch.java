package io.ganglion.bench.ann;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures one configuration in its own JVM: {@code AnnSearch <data dir> <size> <dimension> <config> <beams>
 * <warmup s> <measure s>}. For each search beam (ascending): recall@10 over all queries against exact search, then
 * queries per second with one thread (and its p50/p99 latency) and with two threads, each thread with its own
 * searcher and a time-boxed loop over the queries. One JIT profile per configuration: nothing else runs in this JVM.
 * Prints {@code RESULT} lines for {@code bench/ann.sh} to aggregate, and one {@code MEMORY} line.
 */
public final class AnnSearch {

  private AnnSearch() {
  }

  public static void main(String[] args) throws Exception {
    AnnProvider.choose(args[3]);
    Path root = Path.of(args[0]);
    AnnData data = AnnData.open(root, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
    AnnIndex index = AnnConfigs.get(args[3]);
    int[] beams = Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).sorted().toArray();
    double warmup = Double.parseDouble(args[5]);
    double measure = Double.parseDouble(args[6]);
    float[][] queries = data.queries();
    int[][] truth = data.truth();
    Path dir = root.resolve(index.buildDir());

    Memory.Sample before = Memory.sample();
    long t0 = System.nanoTime();
    try (AnnIndex.Opened opened = index.open(data, dir)) {
      double openSeconds = (System.nanoTime() - t0) / 1e9;
      Memory.Sample after = Memory.sample();
      String memory = String.format("MEMORY %s heap=%d native=%d files=%d open=%.2f", index.name(),
        after.heapUsed() - before.heapUsed(), after.nativeCommitted() - before.nativeCommitted(),
        opened.fileBytes(), openSeconds);
      List<AnnIndex.Searcher> searchers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        searchers.add(opened.searcher());
      }
      // warm-up over every beam on both threads, so the JIT has seen each before any is timed
      long warmEnd = System.nanoTime() + (long) (warmup * 1e9);
      run(searchers, queries, beams, warmEnd, null);
      for (int beam : beams) {
        int[][] found = new int[queries.length][];
        for (int q = 0; q < queries.length; q++) {
          found[q] = searchers.get(0).search(queries[q], beam);
        }
        double recall = AnnData.recall(truth, found);
        long[] latencies = new long[1 << 20];
        int[] count = new int[1];
        double qps1 = timed(searchers.subList(0, 1), queries, beam, measure, latencies, count);
        long[] lat = Arrays.copyOf(latencies, count[0]);
        Arrays.sort(lat);
        double qps2 = timed(searchers, queries, beam, measure, null, null);
        System.out.printf("RESULT %s %d %.4f %.0f %.0f %.1f %.1f %.1f %s%n", index.name(), beam, recall, qps1, qps2,
          lat[lat.length / 2] / 1e3, lat[(int) (lat.length * 0.99)] / 1e3, opened.buildSeconds(),
          Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
      }
      // resident mapped pages once every beam has run: the part of the files the searches touched
      System.out.println(memory + " mappedResident=" + Memory.mappedResident(dir));
      for (AnnIndex.Searcher s : searchers) {
        s.close();
      }
    }
  }

  private static double timed(List<AnnIndex.Searcher> searchers, float[][] queries, int beam, double seconds,
                              long[] latencies, int[] count) throws Exception {
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long done = run(searchers, queries, new int[] {beam}, end, latencies);
    if (count != null) {
      count[0] = (int) Math.min(done, latencies.length);
    }
    return done / ((System.nanoTime() - start) / 1e9);
  }

  /** Runs queries on one thread per searcher until {@code end}; returns how many completed. */
  private static long run(List<AnnIndex.Searcher> searchers, float[][] queries, int[] beams, long end,
                          long[] latencies) throws Exception {
    AtomicLong total = new AtomicLong();
    Exception[] failure = new Exception[1];
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < searchers.size(); t++) {
      AnnIndex.Searcher searcher = searchers.get(t);
      int offset = t * 7919;
      threads.add(Thread.ofPlatform().start(() -> {
        long n = 0;
        long sink = 0;
        try {
          while (System.nanoTime() < end) {
            int q = (int) ((offset + n) % queries.length);
            long s = System.nanoTime();
            int[] ids = searcher.search(queries[q], beams[(int) (n % beams.length)]);
            if (latencies != null && n < latencies.length) {
              latencies[(int) n] = System.nanoTime() - s;
            }
            sink += ids.length > 0 ? ids[0] : 0;
            n++;
          }
        } catch (Exception e) {
          failure[0] = e;
        }
        total.addAndGet(n + (sink == Long.MIN_VALUE ? 1 : 0));
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    if (failure[0] != null) {
      throw failure[0];
    }
    return total.get();
  }
}
