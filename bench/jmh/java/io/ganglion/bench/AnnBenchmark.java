package io.ganglion.bench;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * JVector versus Lucene's HNSW on the same synthetic corpus: {@code size} unit vectors of {@code dimension}
 * dimensions around 100 Gaussian cluster centres (embeddings cluster by topic; uniform random vectors would flatter
 * neither index), queries drawn the same way but not in the corpus. Both graphs have degree 32 on the base layer
 * (JVector {@code M = 32}; Lucene {@code M = 16}, doubled on layer 0), build beam 100, and search with a beam of
 * {@code ef} candidates of which the best 10 are kept.
 * <p>
 * Recall@10 against exact search is computed once per index in setup and printed as {@code RECALL <index> <value>};
 * JMH measures queries per second at 1 and 2 threads. Both indexes are built once per JVM and shared by all four
 * benchmarks ({@code bench/ann.sh} runs JMH in-process, {@code -f 0}, so the minutes of graph building are not
 * repeated per benchmark).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AnnBenchmark {

  private static final int TOP_K = 10;
  private static final int QUERIES = 1000;
  private static final int RECALL_QUERIES = 200;
  private static final VectorTypeSupport TYPES = VectorizationProvider.getInstance().getVectorTypeSupport();

  @Param("100000")
  public int size;

  @Param("384")
  public int dimension;

  @Param("50")
  public int ef;

  private static Corpus corpus;

  /** The data and both built indexes, shared across benchmarks in one JVM. */
  static final class Corpus {
    final float[][] vectors;
    final float[][] queries;
    final int[][] truth;
    final RandomAccessVectorValues ravv;
    final ImmutableGraphIndex jvector;
    final IndexSearcher lucene;
    final int ef;

    Corpus(int size, int dimension, int ef) throws Exception {
      this.ef = ef;
      Random random = new Random(42);
      float[][] centres = new float[100][];
      for (int c = 0; c < centres.length; c++) {
        centres[c] = gaussian(random, dimension, 1.0f);
      }
      vectors = new float[size][];
      for (int i = 0; i < size; i++) {
        vectors[i] = near(random, centres[random.nextInt(centres.length)]);
      }
      queries = new float[QUERIES][];
      for (int i = 0; i < QUERIES; i++) {
        queries[i] = near(random, centres[random.nextInt(centres.length)]);
      }
      List<VectorFloat<?>> list = new ArrayList<>(size);
      for (float[] v : vectors) {
        list.add(TYPES.createFloatVector(v));
      }
      ravv = new ListRandomAccessVectorValues(list, dimension);
      truth = IntStream.range(0, RECALL_QUERIES).parallel().mapToObj(this::exact).toArray(int[][]::new);

      long t0 = System.nanoTime();
      try (GraphIndexBuilder builder =
             new GraphIndexBuilder(ravv, VectorSimilarityFunction.DOT_PRODUCT, 32, 100, 1.2f, 1.2f, true)) {
        jvector = builder.build(ravv);
      }
      long t1 = System.nanoTime();
      lucene = luceneIndex();
      long t2 = System.nanoTime();
      System.out.printf("BUILD jvector %.1f s%nBUILD lucene %.1f s%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9);
      System.out.printf("RECALL jvector %.4f%nRECALL lucene %.4f%n", recall(this::searchJVectorOnce), recall(this::searchLucene));
    }

    private IndexSearcher luceneIndex() throws Exception {
      ByteBuffersDirectory dir = new ByteBuffersDirectory();
      IndexWriterConfig config = new IndexWriterConfig()
        .setRAMBufferSizeMB(4096)
        .setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH);
      try (IndexWriter writer = new IndexWriter(dir, config)) {
        for (float[] v : vectors) {
          Document d = new Document();
          d.add(new KnnFloatVectorField("v", v, org.apache.lucene.index.VectorSimilarityFunction.DOT_PRODUCT));
          writer.addDocument(d);
        }
        writer.commit();
        if (DirectoryReader.open(dir).leaves().size() != 1) {
          writer.forceMerge(1); // one HNSW graph, as JVector has
        }
      }
      return new IndexSearcher(DirectoryReader.open(dir));
    }

    private int[] exact(int q) {
      VectorFloat<?> query = TYPES.createFloatVector(queries[q]);
      float[] best = new float[TOP_K];
      int[] ids = new int[TOP_K];
      Arrays.fill(best, Float.NEGATIVE_INFINITY);
      for (int i = 0; i < vectors.length; i++) {
        float s = io.github.jbellis.jvector.vector.VectorUtil.dotProduct(query, ravv.getVector(i));
        if (s > best[TOP_K - 1]) {
          int j = TOP_K - 1;
          while (j > 0 && best[j - 1] < s) {
            best[j] = best[j - 1];
            ids[j] = ids[j - 1];
            j--;
          }
          best[j] = s;
          ids[j] = i;
        }
      }
      return ids;
    }

    private double recall(java.util.function.IntFunction<int[]> search) {
      int found = 0;
      for (int q = 0; q < RECALL_QUERIES; q++) {
        Set<Integer> expected = new HashSet<>();
        for (int id : truth[q]) {
          expected.add(id);
        }
        for (int id : search.apply(q)) {
          found += expected.contains(id) ? 1 : 0;
        }
      }
      return found / (double) (RECALL_QUERIES * TOP_K);
    }

    private int[] searchJVectorOnce(int q) {
      try (GraphSearcher searcher = new GraphSearcher(jvector)) {
        return searchJVector(searcher, q);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    int[] searchJVector(GraphSearcher searcher, int q) {
      VectorFloat<?> query = TYPES.createFloatVector(queries[q]);
      SearchResult r = searcher.search(
        DefaultSearchScoreProvider.exact(query, VectorSimilarityFunction.DOT_PRODUCT, ravv), TOP_K, ef, 0f, 0f, Bits.ALL);
      return Arrays.stream(r.getNodes()).mapToInt(ns -> ns.node).toArray();
    }

    int[] searchLucene(int q) {
      try {
        TopDocs top = lucene.search(new KnnFloatVectorQuery("v", queries[q], ef), ef);
        return Arrays.stream(top.scoreDocs).limit(TOP_K).mapToInt((ScoreDoc sd) -> sd.doc).toArray();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    private static float[] near(Random random, float[] centre) {
      float[] v = gaussian(random, centre.length, 0.35f);
      double norm = 0;
      for (int i = 0; i < v.length; i++) {
        v[i] += centre[i];
        norm += v[i] * v[i];
      }
      float scale = (float) (1 / Math.sqrt(norm));
      for (int i = 0; i < v.length; i++) {
        v[i] *= scale;
      }
      return v;
    }

    private static float[] gaussian(Random random, int dimension, float sigma) {
      float[] v = new float[dimension];
      for (int i = 0; i < dimension; i++) {
        v[i] = (float) random.nextGaussian() * sigma;
      }
      return v;
    }
  }

  @Setup(Level.Trial)
  public void build() throws Exception {
    synchronized (AnnBenchmark.class) {
      if (corpus == null || corpus.vectors.length != size || corpus.queries[0].length != dimension || corpus.ef != ef) {
        corpus = new Corpus(size, dimension, ef);
      }
    }
  }

  /** Per benchmark thread: its own JVector searcher (search scratch is per searcher) and query cursor. */
  @State(Scope.Thread)
  public static class Cursor {
    GraphSearcher searcher;
    int next;

    @Setup(Level.Trial)
    public void open() {
      searcher = new GraphSearcher(corpus.jvector);
      next = (int) (Thread.currentThread().threadId() * 7919 % QUERIES);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
      searcher.close();
    }

    int query() {
      next = (next + 1) % QUERIES;
      return next;
    }
  }

  @Benchmark
  @Threads(1)
  public int[] jvector1(Cursor cursor) {
    return corpus.searchJVector(cursor.searcher, cursor.query());
  }

  @Benchmark
  @Threads(2)
  public int[] jvector2(Cursor cursor) {
    return corpus.searchJVector(cursor.searcher, cursor.query());
  }

  @Benchmark
  @Threads(1)
  public int[] lucene1(Cursor cursor) {
    return corpus.searchLucene(cursor.query());
  }

  @Benchmark
  @Threads(2)
  public int[] lucene2(Cursor cursor) {
    return corpus.searchLucene(cursor.query());
  }
}
