package io.ganglion.bench.ann;

import io.ganglion.retrieval.index.NeighbourScoring;
import io.ganglion.retrieval.index.ScalarCodes;
import io.github.jbellis.jvector.disk.BufferedRandomAccessWriter;
import io.github.jbellis.jvector.disk.ReaderSupplier;
import io.github.jbellis.jvector.disk.ReaderSupplierFactory;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndexWriter;
import io.github.jbellis.jvector.graph.disk.feature.Feature;
import io.github.jbellis.jvector.graph.disk.feature.FeatureId;
import io.github.jbellis.jvector.graph.disk.feature.FusedPQ;
import io.github.jbellis.jvector.graph.disk.feature.InlineVectors;
import io.github.jbellis.jvector.graph.diversity.VamanaDiversityProvider;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.graph.similarity.SearchScoreProvider;
import io.github.jbellis.jvector.quantization.PQVectors;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntFunction;

/**
 * JVector 4 in the configurations its own benchmarks ({@code jvector-examples} Bench/Grid) run: one graph built once
 * with exact scores ({@code M = 32} on every layer, the degree of Lucene's layer 0, build beam 100, neighbour overflow
 * 1.2, alpha 1.2, hierarchy and final refinement on) on a ForkJoinPool of {@code threads} workers, then searched
 * <ul>
 *   <li>{@code heap}: the on-heap graph with exact float32 scores (what retrieval ran until now);</li>
 *   <li>{@code heap-pq}: the on-heap graph, product-quantized codes on the heap for the walk, the best
 *       {@code beam} candidates reranked with the float32 vectors;</li>
 *   <li>{@code disk}: the on-disk graph (memory-mapped, float32 vectors inline) with exact scores;</li>
 *   <li>{@code pq}: the on-disk graph walked with product-quantized codes held on the heap, reranked with the inline
 *       float32 vectors: JVector's large-index configuration (Grid's PQ search compression + INLINE_VECTORS);</li>
 *   <li>{@code fused}: the on-disk graph with fused PQ (each node stores its neighbours' codes, so a hop reads one
 *       record), reranked with the inline float32 vectors (Grid's FUSED_PQ feature set).</li>
 * </ul>
 * PQ has 256 centroids per subspace, uncentred for dot product, and {@code dimension / 8} subspaces (Bench's
 * default: 48 bytes per 384-d vector; configurations ending in {@code 8}) or {@code dimension / 2} (192 bytes, an 8x
 * compression; ending in {@code 2}). One {@link GraphSearcher} per thread, reused across queries, as Grid's
 * {@code ConfiguredSystem} does.
 */
final class JVectorAnn implements AnnIndex {

  static final int M = 32;
  static final int BUILD_BEAM = 100;
  static final float OVERFLOW = 1.2f;
  static final float ALPHA = 1.2f;
  private static final VectorSimilarityFunction DOT = VectorSimilarityFunction.DOT_PRODUCT;
  private static final VectorTypeSupport TYPES = VectorizationProvider.getInstance().getVectorTypeSupport();

  enum Mode { HEAP, HEAP_PQ, DISK, PQ, FUSED }

  /** Dimensions per PQ subspace of the two codebooks built: JVector's default (8) and a finer one (2). */
  static final int[] PQ_FACTORS = {8, 2};

  private final String name;
  private final Mode mode;
  private final int pqFactor;
  private final boolean batched;
  private final boolean sq8;

  JVectorAnn(String name, Mode mode, int pqFactor) {
    this(name, mode, pqFactor, false);
  }

  /**
   * {@code batched}: the walk scores each expanded node's neighbours together with retrieval's
   * {@link NeighbourScoring} (the float32 search the index runs: in place on the heap, copied out of the mapped file
   * on disk), instead of one neighbour per call. A name with {@code -sq8} walks the in-heap graph on byte codes
   * ({@link ScalarCodes}, encoded when the index opens) and re-scores the beam on the float32 vectors, as
   * retrieval's in-heap segments do.
   */
  JVectorAnn(String name, Mode mode, int pqFactor, boolean batched) {
    if (batched && mode != Mode.HEAP && mode != Mode.DISK) {
      throw new IllegalArgumentException("batched neighbour scoring is for the float32 walks");
    }
    this.name = name;
    this.mode = mode;
    this.pqFactor = pqFactor;
    this.batched = batched;
    this.sq8 = name.contains("-sq8");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String buildDir() {
    return "jvector";
  }

  static RandomAccessVectorValues ravv(float[][] vectors) {
    List<VectorFloat<?>> list = new ArrayList<>(vectors.length);
    for (float[] v : vectors) {
      list.add(TYPES.createFloatVector(v));
    }
    return new ListRandomAccessVectorValues(list, vectors[0].length);
  }

  @Override
  public void build(AnnData data, Path out, int threads) throws Exception {
    // parts already built are kept (a later configuration may add a part to an existing build)
    Properties times = new Properties();
    Path properties = out.resolve("build.properties");
    if (Files.exists(properties)) {
      try (InputStream is = Files.newInputStream(properties)) {
        times.load(is);
      }
    }
    times.setProperty("threads", Integer.toString(threads));
    RandomAccessVectorValues ravv = ravv(data.base());
    ForkJoinPool pool = new ForkJoinPool(threads);
    try {
      ImmutableGraphIndex graph;
      if (Files.exists(out.resolve("heap.graph"))) {
        try (ReaderSupplier rs = ReaderSupplierFactory.open(out.resolve("heap.graph")); var reader = rs.get()) {
          graph = OnHeapGraphIndex.load(reader, ravv.dimension(), OVERFLOW,
            new VamanaDiversityProvider(BuildScoreProvider.randomAccessScoreProvider(ravv, DOT), ALPHA));
        }
      } else {
        long t0 = System.nanoTime();
        BuildScoreProvider bsp = BuildScoreProvider.randomAccessScoreProvider(ravv, DOT);
        try (GraphIndexBuilder builder =
               new GraphIndexBuilder(bsp, ravv.dimension(), M, BUILD_BEAM, OVERFLOW, ALPHA, true, true, pool, pool)) {
          graph = builder.build(ravv);
        }
        long t1 = System.nanoTime();
        times.setProperty("graph", Double.toString((t1 - t0) / 1e9));
        try (DataOutputStream os = new DataOutputStream(new BufferedOutputStream(
               Files.newOutputStream(out.resolve("heap.graph")), 1 << 20))) {
          ((OnHeapGraphIndex) graph).save(os);
        }
        times.setProperty("heap", Double.toString((System.nanoTime() - t1) / 1e9));
      }
      // the parts this configuration reads (the graph above is shared by all)
      if ((mode == Mode.DISK || mode == Mode.PQ) && !Files.exists(out.resolve("inline.jv"))) {
        long t2 = System.nanoTime();
        try (var writer = new OnDiskGraphIndexWriter.Builder(graph, out.resolve("inline.jv"))
               .with(new InlineVectors(ravv.dimension())).build()) {
          writer.write(Map.of(FeatureId.INLINE_VECTORS, o -> new InlineVectors.State(ravv.getVector(o))));
        }
        times.setProperty("disk", Double.toString((System.nanoTime() - t2) / 1e9));
      }
      if (mode == Mode.HEAP_PQ || mode == Mode.PQ || mode == Mode.FUSED) {
        int factor = pqFactor;
        Path codesFile = out.resolve("pq" + factor + ".bin");
        PQVectors codes;
        if (Files.exists(codesFile)) {
          try (ReaderSupplier rs = ReaderSupplierFactory.open(codesFile); var reader = rs.get()) {
            codes = PQVectors.load(reader);
          }
        } else {
          long p0 = System.nanoTime();
          ProductQuantization pq = ProductQuantization.compute(ravv, ravv.dimension() / factor, 256, false,
            io.github.jbellis.jvector.quantization.KMeansPlusPlusClusterer.UNWEIGHTED, pool, pool);
          codes = (PQVectors) pq.encodeAll(ravv, pool);
          try (BufferedRandomAccessWriter w = new BufferedRandomAccessWriter(codesFile)) {
            codes.write(w);
          }
          times.setProperty("pq" + factor, Double.toString((System.nanoTime() - p0) / 1e9));
        }
        Path fused = out.resolve("fused" + factor + ".jv");
        if (mode == Mode.FUSED && !Files.exists(fused)) {
          long f0 = System.nanoTime();
          var view = graph.getView();
          try (var writer = new OnDiskGraphIndexWriter.Builder(graph, fused)
                 .with(new InlineVectors(ravv.dimension()))
                 .with(new FusedPQ(graph.maxDegree(), codes.getCompressor())).build()) {
            Map<FeatureId, IntFunction<Feature.State>> states = new EnumMap<>(FeatureId.class);
            states.put(FeatureId.INLINE_VECTORS, o -> new InlineVectors.State(ravv.getVector(o)));
            states.put(FeatureId.FUSED_PQ, o -> new FusedPQ.State(view, codes, o));
            writer.write(states);
          }
          times.setProperty("fused" + factor, Double.toString((System.nanoTime() - f0) / 1e9));
        }
      }
    } finally {
      pool.shutdown();
    }
    try (OutputStream os = Files.newOutputStream(properties)) {
      times.store(os, "jvector build seconds by part");
    }
  }

  /** Whether every file this configuration reads exists. */
  boolean built(Path dir) {
    String file = switch (mode) {
      case HEAP -> "heap.graph";
      case HEAP_PQ, PQ -> "pq" + pqFactor + ".bin";
      case DISK -> "inline.jv";
      case FUSED -> "fused" + pqFactor + ".jv";
    };
    boolean inline = mode != Mode.DISK && mode != Mode.PQ || Files.exists(dir.resolve("inline.jv"));
    return Files.exists(dir.resolve("build.properties")) && Files.exists(dir.resolve(file)) && inline
      && Files.exists(dir.resolve("heap.graph"));
  }

  @Override
  public Opened open(AnnData data, Path in) throws Exception {
    Properties times = new Properties();
    try (InputStream is = Files.newInputStream(in.resolve("build.properties"))) {
      times.load(is);
    }
    RandomAccessVectorValues heapVectors = mode == Mode.HEAP || mode == Mode.HEAP_PQ ? ravv(data.base()) : null;
    PQVectors codes = null;
    if (mode == Mode.HEAP_PQ || mode == Mode.PQ) {
      try (ReaderSupplier rs = ReaderSupplierFactory.open(in.resolve("pq" + pqFactor + ".bin")); var reader = rs.get()) {
        codes = PQVectors.load(reader);
      }
    }
    ImmutableGraphIndex graph;
    ReaderSupplier graphFile = null;
    if (heapVectors != null) {
      try (ReaderSupplier rs = ReaderSupplierFactory.open(in.resolve("heap.graph")); var reader = rs.get()) {
        graph = OnHeapGraphIndex.load(reader, heapVectors.dimension(), OVERFLOW,
          new VamanaDiversityProvider(BuildScoreProvider.randomAccessScoreProvider(heapVectors, DOT), ALPHA));
      }
    } else {
      graphFile = ReaderSupplierFactory.open(in.resolve(mode == Mode.FUSED ? "fused" + pqFactor + ".jv" : "inline.jv"));
      graph = OnDiskGraphIndex.load(graphFile);
    }
    PQVectors pq = codes;
    ReaderSupplier file = graphFile;
    ScalarCodes scalar = sq8 ? ScalarCodes.encode(heapVectors) : null;
    return new Opened() {
      @Override
      public Searcher searcher() {
        if (batched) {
          return batchedSearcher();
        }
        GraphSearcher searcher = new GraphSearcher(graph);
        return new Searcher() {
          @Override
          public int[] search(float[] query, int beam) {
            VectorFloat<?> q = TYPES.createFloatVector(query);
            SearchScoreProvider ssp = switch (mode) {
              case HEAP -> DefaultSearchScoreProvider.exact(q, DOT, heapVectors);
              case HEAP_PQ -> new DefaultSearchScoreProvider(pq.precomputedScoreFunctionFor(q, DOT),
                heapVectors.rerankerFor(q, DOT));
              case DISK -> DefaultSearchScoreProvider.exact(q, DOT, (RandomAccessVectorValues) searcher.getView());
              case PQ -> new DefaultSearchScoreProvider(pq.precomputedScoreFunctionFor(q, DOT),
                ((ImmutableGraphIndex.ScoringView) searcher.getView()).rerankerFor(q, DOT));
              case FUSED -> {
                var view = (ImmutableGraphIndex.ScoringView) searcher.getView();
                yield new DefaultSearchScoreProvider(view.approximateScoreFunctionFor(q, DOT), view.rerankerFor(q, DOT));
              }
            };
            SearchResult r = searcher.search(ssp, AnnData.TOP_K, beam, 0f, 0f, Bits.ALL);
            SearchResult.NodeScore[] nodes = r.getNodes();
            int[] ids = new int[nodes.length];
            for (int i = 0; i < ids.length; i++) {
              ids[i] = nodes[i].node;
            }
            return ids;
          }

          @Override
          public void close() throws Exception {
            searcher.close();
          }
        };
      }

      private Searcher batchedSearcher() {
        // the loaded graph is complete: one view serves every query (on disk, the searcher's own view and reader)
        ImmutableGraphIndex.View view = graph.getView();
        NeighbourScoring searcher = mode == Mode.DISK
          ? new NeighbourScoring((OnDiskGraphIndex.View) view) : new NeighbourScoring(graph);
        RandomAccessVectorValues vectors = mode == Mode.DISK ? (RandomAccessVectorValues) view : heapVectors;
        ScalarCodes sq = scalar;
        return new Searcher() {
          @Override
          public int[] search(float[] query, int beam) {
            SearchResult r = sq != null
              ? searcher.search(view, TYPES.createFloatVector(query), sq, vectors, AnnData.TOP_K, beam, Bits.ALL)
              : searcher.search(view, TYPES.createFloatVector(query), vectors, AnnData.TOP_K, beam, Bits.ALL);
            SearchResult.NodeScore[] nodes = r.getNodes();
            int[] ids = new int[nodes.length];
            for (int i = 0; i < ids.length; i++) {
              ids[i] = nodes[i].node;
            }
            return ids;
          }

          @Override
          public void close() throws Exception {
            searcher.close();
          }
        };
      }

      @Override
      public double buildSeconds() {
        double graphSeconds = Double.parseDouble(times.getProperty("graph"));
        double extra = switch (mode) {
          case HEAP -> part("heap");
          case HEAP_PQ -> part("heap") + part("pq" + pqFactor);
          case DISK -> part("disk");
          case PQ -> part("disk") + part("pq" + pqFactor);
          case FUSED -> part("pq" + pqFactor) + part("fused" + pqFactor);
        };
        return graphSeconds + extra;
      }

      private double part(String key) {
        return Double.parseDouble(times.getProperty(key));
      }

      @Override
      public long fileBytes() {
        return switch (mode) {
          case HEAP -> in.resolve("heap.graph").toFile().length() + data.dir.resolve("base.f32").toFile().length();
          case HEAP_PQ -> in.resolve("heap.graph").toFile().length() + data.dir.resolve("base.f32").toFile().length()
            + in.resolve("pq" + pqFactor + ".bin").toFile().length();
          case DISK -> in.resolve("inline.jv").toFile().length();
          case PQ -> in.resolve("inline.jv").toFile().length() + in.resolve("pq" + pqFactor + ".bin").toFile().length();
          case FUSED -> in.resolve("fused" + pqFactor + ".jv").toFile().length();
        };
      }

      @Override
      public void close() throws Exception {
        if (graph instanceof AutoCloseable c) {
          c.close();
        }
        if (file != null) {
          file.close();
        }
      }
    };
  }
}
