package io.ganglion.retrieval.index;

import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.NodesIterator;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.graph.similarity.SearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorUtil;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.IOException;

/**
 * A graph walk over float32 vectors (in-heap, or inline in an on-disk graph) that scores each expanded node's
 * unvisited neighbours together, several vectors per step, instead of one {@code ScoreFunction.similarityTo} call per
 * neighbour. JVector 4.0.2's walk
 * ({@code GraphSearcher.searchOneLayer}) hands a node's whole neighbour list to its view's
 * {@code processNeighbors}; this searcher's view collects the unvisited ones and scores them in groups of four with
 * interleaved vector loads ({@link BatchDot}), so the cache misses of four random vectors overlap instead of being
 * taken one after another, as Lucene 10.6 scores neighbours ({@code MemorySegmentBulkVectorOps.dotProductBulk}).
 * Scores, visit order and results are those of JVector's own exact walk (dot product mapped to
 * {@code (1 + dot) / 2}, as {@code VectorSimilarityFunction.DOT_PRODUCT}); only the rounding of the sums may differ.
 * In-heap vectors are read in place; an on-disk graph's vectors (memory-mapped; at {@code release 21} the Vector API
 * cannot load from a memory segment) are first copied into four reused float arrays of this searcher, which is the
 * copy JVector's own on-disk scoring makes, one vector at a time. Without the Vector API module
 * ({@code --add-modules jdk.incubator.vector}) or with vectors that are not float arrays, neighbours are scored one
 * at a time with JVector's {@link VectorUtil#dotProduct}.
 * <p>
 * The same walk can score one byte per dimension instead ({@link ScalarCodes}, four nodes per pass too), and then
 * re-scores the beam it found on the float32 vectors, so results are ranked by exact scores.
 * <p>
 * <b>NOTE</b>: a {@code NeighbourScoring} is one thread's searcher (its scratch is reused by every query), like
 * the {@link GraphSearcher} inside it; keep one per pool thread.
 */
public final class NeighbourScoring implements AutoCloseable {

  static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

  private static final VectorTypeSupport TYPES = JVectorTypes.TYPES;

  private final BatchedView view;
  private final GraphSearcher searcher;
  private final boolean copying; // an on-disk view: vectors are copied into scratch before scoring
  private VectorFloat<?>[] scratch;
  private int[] rerankNodes = new int[0];
  private float[] rerankScores = new float[0];

  /** A searcher over {@code graph}, whose view is re-read per search (the in-heap graph grows as vectors arrive). */
  public NeighbourScoring(ImmutableGraphIndex graph) {
    this(graph.getView(), false);
  }

  /**
   * A searcher over an on-disk graph's {@code view} (kept and closed by this searcher), whose float32 vectors are
   * inline in the memory-mapped file: each neighbour's vector is copied into this searcher's scratch
   * ({@code View.getVectorInto}) and four copies are scored together. Pass the same view to every {@link #search}.
   */
  public NeighbourScoring(OnDiskGraphIndex.View view) {
    this(view, true);
  }

  private NeighbourScoring(ImmutableGraphIndex.View view, boolean copying) {
    this.view = new BatchedView();
    this.view.delegate = view;
    this.copying = copying;
    this.searcher = new Searcher(this.view);
  }

  /**
   * The best {@code topK} nodes of {@code view} (a fresh view of the graph, see {@link ImmutableGraphIndex#getView};
   * for an on-disk searcher, its own view) by dot product with {@code query}, walking with {@code beam} candidates,
   * among {@code accept}.
   */
  public SearchResult search(ImmutableGraphIndex.View graphView, VectorFloat<?> query, RandomAccessVectorValues vectors,
                             int topK, int beam, Bits accept) {
    return search(graphView, new DefaultSearchScoreProvider(new Exact(query, vectors, scratch(query))), topK, beam,
      accept);
  }

  /**
   * The best {@code topK} nodes by dot product with {@code query}, walking on {@code codes} (one byte per dimension)
   * with {@code beam} candidates, which are then re-scored exactly on {@code vectors}.
   */
  public SearchResult search(ImmutableGraphIndex.View graphView, VectorFloat<?> query, ScalarCodes codes,
                             RandomAccessVectorValues vectors, int topK, int beam, Bits accept) {
    int width = Math.max(topK, beam);
    Exact exact = new Exact(query, vectors, scratch(query));
    Coded coded = new Coded(codes, (float[]) query.get(), exact);
    SearchResult walk = search(graphView, new DefaultSearchScoreProvider(coded), width, width, accept);
    SearchResult.NodeScore[] found = walk.getNodes();
    int n = found.length;
    if (rerankNodes.length < n) {
      rerankNodes = new int[n];
      rerankScores = new float[n];
    }
    for (int i = 0; i < n; i++) {
      rerankNodes[i] = found[i].node;
    }
    // the walk's candidates re-scored exactly, four vectors per pass (JVector's reranker takes one per call)
    exact.similarityTo(rerankNodes, n, rerankScores);
    SearchResult.NodeScore[] best = new SearchResult.NodeScore[n];
    for (int i = 0; i < n; i++) {
      best[i] = new SearchResult.NodeScore(rerankNodes[i], rerankScores[i]);
    }
    java.util.Arrays.sort(best); // best first
    return new SearchResult(java.util.Arrays.copyOf(best, Math.min(topK, n)), walk.getVisitedCount(),
      walk.getExpandedCount(), walk.getExpandedCountBaseLayer(), n,
      n == 0 ? Float.NEGATIVE_INFINITY : found[Math.min(topK, n) - 1].score);
  }

  /**
   * The same walk with scores of the caller's choosing ({@code scores}, e.g. product-quantized codes with an exact
   * reranker); neighbours are batched only for this class's exact and byte-code scores, any other score function is
   * JVector's own one-neighbour-at-a-time walk.
   */
  public SearchResult search(ImmutableGraphIndex.View graphView, SearchScoreProvider scores, int topK, int beam,
                             Bits accept) {
    view.delegate = graphView;
    searcher.setView(view);
    return searcher.search(scores, topK, beam, 0f, 0f, accept);
  }

  /** Four reused vectors that an on-disk view's vectors are copied into; null for in-heap vectors (read in place). */
  private VectorFloat<?>[] scratch(VectorFloat<?> query) {
    if (!copying) {
      return null;
    }
    if (scratch == null || scratch[0].length() != query.length()) {
      scratch = new VectorFloat<?>[4];
      for (int i = 0; i < 4; i++) {
        scratch[i] = TYPES.createFloatVector(query.length());
      }
    }
    return scratch;
  }

  @Override
  public void close() throws IOException {
    searcher.close();
  }

  /** JVector's searcher over a view of our choosing (its constructor taking a view is protected). */
  private static final class Searcher extends GraphSearcher {
    Searcher(ImmutableGraphIndex.View view) {
      super(view);
    }
  }

  /**
   * The dot product of {@code query} (whose float array is {@code q}, or null) and {@code v}: with {@link BatchDot}
   * where both are float arrays, so a score has the same bits cold and warm; otherwise JVector's.
   */
  static float dot(float[] q, VectorFloat<?> query, VectorFloat<?> v) {
    return q != null && v.get() instanceof float[] a ? BatchDot.dot(q, a) : VectorUtil.dotProduct(query, v);
  }

  /**
   * Exact dot-product scores, one node or a batch of them: against in-heap vectors read in place, or, with
   * {@code scratch}, against vectors copied into those four reused buffers first (an on-disk view's inline vectors).
   */
  static final class Exact extends Batched implements ScoreFunction.ExactScoreFunction {
    private final VectorFloat<?> query;
    private final float[] q; // null: not an array-backed vector, score one at a time through VectorUtil
    private final RandomAccessVectorValues vectors;
    private final VectorFloat<?>[] scratch; // null: read vectors in place

    Exact(VectorFloat<?> query, RandomAccessVectorValues vectors, VectorFloat<?>[] scratch) {
      this.query = query;
      this.vectors = vectors;
      this.scratch = scratch;
      boolean arrays = VECTOR_API && query.get() instanceof float[]
        && (scratch == null || scratch[0].get() instanceof float[]);
      this.q = arrays ? (float[]) query.get() : null;
    }

    @Override
    public float similarityTo(int node) {
      if (scratch == null) {
        return (1 + dot(q, query, vectors.getVector(node))) / 2;
      }
      vectors.getVectorInto(node, scratch[0], 0);
      return (1 + dot(q, query, scratch[0])) / 2;
    }

    @Override
    boolean dots4(int a, int b, int c, int d, float[] out) {
      if (q == null) {
        return false;
      }
      float[] va = vector(a, 0);
      float[] vb = vector(b, 1);
      float[] vc = vector(c, 2);
      float[] vd = vector(d, 3);
      if (va == null || vb == null || vc == null || vd == null) {
        return false; // not array-backed vectors after all
      }
      BatchDot.dot4(q, va, vb, vc, vd, out, 0);
      return true;
    }

    /** {@code node}'s floats: read in place, or copied into {@code scratch[slot]}; null if not an array. */
    private float[] vector(int node, int slot) {
      if (scratch != null) {
        vectors.getVectorInto(node, scratch[slot], 0);
        return (float[]) scratch[slot].get();
      }
      return vectors.getVector(node).get() instanceof float[] v ? v : null;
    }
  }

  /**
   * A score function that also scores a batch of nodes, four per pass: a last group of one to three is padded with its
   * last node (scored again and dropped), so it too streams in one pass instead of one cache-missing vector after
   * another. Scores are dot products mapped to {@code (1 + dot) / 2}, as JVector's.
   */
  private abstract static sealed class Batched implements ScoreFunction permits Exact, Coded {
    private final float[] padded = new float[4];

    /** The dot products of four nodes into {@code out[0..4)}; false if these four cannot be scored together. */
    abstract boolean dots4(int a, int b, int c, int d, float[] out);

    /** Scores {@code nodes[0..n)} into {@code scores}, four at a time where {@link #dots4} can, else one by one. */
    final void similarityTo(int[] nodes, int n, float[] scores) {
      for (int i = 0; i < n; i += 4) {
        int last = Math.min(i + 4, n) - 1;
        if (dots4(nodes[i], nodes[Math.min(i + 1, last)], nodes[Math.min(i + 2, last)], nodes[last], padded)) {
          for (int j = i; j <= last; j++) {
            scores[j] = (1 + padded[j - i]) / 2;
          }
        } else {
          for (int j = i; j <= last; j++) {
            scores[j] = similarityTo(nodes[j]);
          }
        }
      }
    }
  }

  /**
   * Approximate scores on {@link ScalarCodes}, four nodes per pass; a node the codes do not hold yet (added to the
   * graph after these codes were replaced by a re-encoding) is scored exactly.
   */
  static final class Coded extends Batched implements ScoreFunction.ApproximateScoreFunction {
    private final ScalarCodes codes;
    private final ScalarCodes.Query query;
    private final Exact exact;

    Coded(ScalarCodes codes, float[] query, Exact exact) {
      this.codes = codes;
      this.query = codes.query(query);
      this.exact = exact;
    }

    @Override
    public float similarityTo(int node) {
      return node < codes.size() ? (1 + codes.dot(query, node)) / 2 : exact.similarityTo(node);
    }

    @Override
    boolean dots4(int a, int b, int c, int d, float[] out) {
      if (Math.max(Math.max(a, b), Math.max(c, d)) >= codes.size()) {
        return false;
      }
      codes.dot4(query, a, b, c, d, out, 0);
      return true;
    }
  }

  /**
   * The graph's view with {@code processNeighbors} batched: the unvisited neighbours of a node are marked, then
   * scored together, then handed to the walk in neighbour order, which is what JVector's own views do one neighbour
   * at a time. Every other call goes to the graph's view.
   */
  private static final class BatchedView implements ImmutableGraphIndex.View {
    ImmutableGraphIndex.View delegate;
    private int[] nodes = new int[64];
    private float[] scores = new float[64];

    @Override
    public void processNeighbors(int level, int node, ScoreFunction scoreFunction, ImmutableGraphIndex.IntMarker visited,
                                 ImmutableGraphIndex.NeighborProcessor processor) {
      if (!(scoreFunction instanceof Batched batch)) {
        delegate.processNeighbors(level, node, scoreFunction, visited, processor);
        return;
      }
      NodesIterator it = delegate.getNeighborsIterator(level, node);
      int n = 0;
      while (it.hasNext()) {
        int neighbour = it.nextInt();
        if (visited.mark(neighbour)) {
          if (n == nodes.length) {
            nodes = java.util.Arrays.copyOf(nodes, n * 2);
            scores = new float[n * 2];
          }
          nodes[n++] = neighbour;
        }
      }
      batch.similarityTo(nodes, n, scores);
      for (int i = 0; i < n; i++) {
        processor.process(nodes[i], scores[i]);
      }
    }

    @Override
    public NodesIterator getNeighborsIterator(int level, int node) {
      return delegate.getNeighborsIterator(level, node);
    }

    @Override
    @SuppressWarnings("deprecation") // the interface's own method, still called by JVector's searcher
    public int size() {
      return delegate.size();
    }

    @Override
    public ImmutableGraphIndex.NodeAtLevel entryNode() {
      return delegate.entryNode();
    }

    @Override
    public Bits liveNodes() {
      return delegate.liveNodes();
    }

    @Override
    public int getIdUpperBound() {
      return delegate.getIdUpperBound();
    }

    @Override
    public boolean contains(int level, int node) {
      return delegate.contains(level, node);
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }
  }
}
