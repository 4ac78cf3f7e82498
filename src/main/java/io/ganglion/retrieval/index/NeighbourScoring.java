package io.ganglion.retrieval.index;

import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.NodesIterator;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorUtil;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import java.io.IOException;

/**
 * A graph walk over in-heap float32 vectors that scores each expanded node's unvisited neighbours together, several
 * vectors per step, instead of one {@code ScoreFunction.similarityTo} call per neighbour. JVector 4.0.2's walk
 * ({@code GraphSearcher.searchOneLayer}) hands a node's whole neighbour list to its view's
 * {@code processNeighbors}; this searcher's view collects the unvisited ones and scores them in groups of four with
 * interleaved vector loads ({@link BatchDot}), so the cache misses of four random vectors overlap instead of being
 * taken one after another, as Lucene 10.6 scores neighbours ({@code MemorySegmentBulkVectorOps.dotProductBulk}).
 * Scores, visit order and results are those of JVector's own exact walk (dot product mapped to
 * {@code (1 + dot) / 2}, as {@code VectorSimilarityFunction.DOT_PRODUCT}); only the rounding of the sums may differ.
 * Without the Vector API module ({@code --add-modules jdk.incubator.vector}) or with vectors that are not float
 * arrays, neighbours are scored one at a time with JVector's {@link VectorUtil#dotProduct}.
 * <p>
 * <b>NOTE</b>: a {@code NeighbourScoring} is one thread's searcher (its scratch is reused by every query), like
 * the {@link GraphSearcher} inside it; keep one per pool thread.
 */
public final class NeighbourScoring implements AutoCloseable {

  static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

  private final BatchedView view;
  private final GraphSearcher searcher;

  /** A searcher over {@code graph}, whose view is re-read per search (the in-heap graph grows as vectors arrive). */
  public NeighbourScoring(ImmutableGraphIndex graph) {
    this(graph, false);
  }

  /**
   * As {@link #NeighbourScoring(ImmutableGraphIndex)}; {@code ownVisited}: the walk's visited set is an array of
   * per-query stamps indexed by node instead of JVector's hash set.
   */
  public NeighbourScoring(ImmutableGraphIndex graph, boolean ownVisited) {
    this.view = new BatchedView(ownVisited);
    view.delegate = graph.getView();
    this.searcher = new Searcher(view);
  }

  /**
   * The best {@code topK} nodes of {@code view} (a fresh view of the graph, see {@link ImmutableGraphIndex#getView})
   * by dot product with {@code query}, walking with {@code beam} candidates, among {@code accept}.
   */
  public SearchResult search(ImmutableGraphIndex.View graphView, VectorFloat<?> query, RandomAccessVectorValues vectors,
                             int topK, int beam, Bits accept) {
    view.delegate = graphView;
    view.newQuery();
    searcher.setView(view);
    return searcher.search(new DefaultSearchScoreProvider(new Exact(query, vectors)), topK, beam, 0f, 0f, accept);
  }

  /**
   * JVector's early termination ({@code GraphSearcher.usePruning}): the walk stops once its best scores stop
   * improving, before the beam is exhausted. Off by default, as in JVector.
   */
  public void usePruning(boolean prune) {
    searcher.usePruning(prune);
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

  /** Exact dot-product scores against in-heap vectors, one node or a batch of them. */
  static final class Exact implements ScoreFunction.ExactScoreFunction {
    private final VectorFloat<?> query;
    private final float[] q; // null: not an array-backed vector, score through VectorUtil
    private final RandomAccessVectorValues vectors;

    Exact(VectorFloat<?> query, RandomAccessVectorValues vectors) {
      this.query = query;
      this.q = VECTOR_API && query.get() instanceof float[] a ? a : null;
      this.vectors = vectors;
    }

    @Override
    public float similarityTo(int node) {
      return (1 + dot(q, query, vectors.getVector(node))) / 2;
    }

    /** Scores {@code nodes[0..n)} into {@code scores}, four vectors at a time where they are float arrays. */
    void similarityTo(int[] nodes, int n, float[] scores) {
      int i = 0;
      if (q != null) {
        for (; i + 4 <= n; i += 4) {
          if (vectors.getVector(nodes[i]).get() instanceof float[] a
              && vectors.getVector(nodes[i + 1]).get() instanceof float[] b
              && vectors.getVector(nodes[i + 2]).get() instanceof float[] c
              && vectors.getVector(nodes[i + 3]).get() instanceof float[] d) {
            BatchDot.dot4(q, a, b, c, d, scores, i);
            for (int j = i; j < i + 4; j++) {
              scores[j] = (1 + scores[j]) / 2;
            }
          } else {
            for (int j = i; j < i + 4; j++) {
              scores[j] = similarityTo(nodes[j]);
            }
          }
        }
      }
      for (; i < n; i++) {
        scores[i] = similarityTo(nodes[i]);
      }
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
    private final boolean ownVisited;
    private int[] stamps = new int[0];
    private int stamp;
    private ImmutableGraphIndex.NodeAtLevel entry;

    BatchedView(boolean ownVisited) {
      this.ownVisited = ownVisited;
    }

    /**
     * Starts a query's visited set: the entry node counts as visited (JVector's searcher scores it first, into its
     * own set).
     */
    void newQuery() {
      if (!ownVisited) {
        return;
      }
      if (++stamp == Integer.MAX_VALUE) {
        java.util.Arrays.fill(stamps, 0);
        stamp = 1;
      }
      // the walk starts where this query's set says it did, even if an insert moves the graph's entry meanwhile
      entry = delegate.entryNode();
      if (entry != null) {
        mark(entry.node);
      }
    }

    private boolean mark(int node) {
      if (node >= stamps.length) {
        stamps = java.util.Arrays.copyOf(stamps, Math.max(node + 1, Math.max(1024, stamps.length + (stamps.length >> 1))));
      }
      if (stamps[node] == stamp) {
        return false;
      }
      stamps[node] = stamp;
      return true;
    }

    @Override
    public void processNeighbors(int level, int node, ScoreFunction scoreFunction,
                                 ImmutableGraphIndex.IntMarker visited, ImmutableGraphIndex.NeighborProcessor processor) {
      if (!(scoreFunction instanceof Exact exact)) {
        delegate.processNeighbors(level, node, scoreFunction, visited, processor);
        return;
      }
      NodesIterator it = delegate.getNeighborsIterator(level, node);
      int n = 0;
      while (it.hasNext()) {
        int neighbour = it.nextInt();
        if (ownVisited ? mark(neighbour) : visited.mark(neighbour)) {
          if (n == nodes.length) {
            nodes = java.util.Arrays.copyOf(nodes, n * 2);
            scores = new float[n * 2];
          }
          nodes[n++] = neighbour;
        }
      }
      exact.similarityTo(nodes, n, scores);
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
      return ownVisited ? entry : delegate.entryNode();
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
