package io.ganglion.retrieval.index;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.NodeArray;
import io.github.jbellis.jvector.graph.NodesIterator;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.util.ExplicitThreadLocal;
import io.github.jbellis.jvector.util.ThreadSafeGrowableBitSet;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One generation of a shard's vector index: the vectors, a JVector graph built incrementally over them, and the
 * ordinal bookkeeping. Vectors are unit length and compared by dot product (cosine, without the per-pair norms).
 * Deleted ordinals stay in the graph as routing nodes and are excluded at query time; {@link VectorIndex#compact}
 * replaces the generation with a fresh one holding only live vectors.
 * <p>
 * <b>NOTE</b>: {@link #search} is safe from any number of threads concurrently with one writer. Each thread keeps its
 * own {@link GraphSearcher} (JVector's search scratch is per searcher and sized by the graph), so callers should be
 * a fixed pool of platform threads, not virtual threads or a thread per call. {@link #add} and {@link #delete} must
 * be serialised by the caller.
 * <p>
 * <b>NOTE</b>: the searchers live in JVector's {@link ExplicitThreadLocal} (as in {@code GraphIndexBuilder}), so
 * {@link #close} can close every one of them, then the builder; a plain {@code ThreadLocal} would keep each pool
 * thread's searcher, and through it this generation's graph, for as long as the thread lives. Closing while a search
 * is still walking this generation is safe: on-heap graph views hold nothing to release, and a searcher made after
 * the close is collected with the generation.
 */
final class VectorGraph implements Closeable {

  // degree 32 = Lucene HNSW's layer-0 degree at its default M = 16; bench/ann.sh measures recall at these settings
  static final int MAX_DEGREE = 32;
  static final int BEAM_WIDTH = 100;
  static final float NEIGHBOR_OVERFLOW = 1.2f;
  static final float ALPHA = 1.2f;
  /** Shards with fewer vectors than this are scored exactly instead of walking the graph. */
  static final int EXACT_BELOW = 2048;
  private static final VectorSimilarityFunction SIMILARITY = VectorSimilarityFunction.DOT_PRODUCT;

  private final GrowableVectorValues vectors;
  private final AppendOnlyList<VectorEntry> entries = new AppendOnlyList<>();
  private final Map<String, Integer> ordinals = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> chunksOfDocument = new ConcurrentHashMap<>();
  private final ThreadSafeGrowableBitSet deleted = new ThreadSafeGrowableBitSet(1024);
  private final GraphIndexBuilder builder;
  private final ExplicitThreadLocal<GraphSearcher> searchers;
  private volatile boolean closed;

  VectorGraph(int dimension) {
    this.vectors = new GrowableVectorValues(dimension);
    this.builder = GraphIndexBuilder.builder(vectors, SIMILARITY, MAX_DEGREE)
      .withBeamWidth(BEAM_WIDTH)
      .withNeighborOverflow(NEIGHBOR_OVERFLOW)
      .withAlpha(ALPHA)
      .build();
    this.searchers = ExplicitThreadLocal.withInitial(() -> new GraphSearcher(builder.getGraph()));
  }

  int dimension() {
    return vectors.dimension();
  }

  /** Adds a unit-length vector; a previous vector of the same chunk id is deleted first. */
  void add(VectorEntry entry, VectorFloat<?> unitVector) {
    delete(entry.chunkId());
    int ordinal = vectors.add(unitVector);
    int same = entries.add(entry);
    assert same == ordinal;
    ordinals.put(entry.chunkId(), ordinal);
    chunksOfDocument.computeIfAbsent(entry.documentId(), d -> ConcurrentHashMap.newKeySet()).add(entry.chunkId());
    builder.addGraphNode(ordinal, unitVector);
  }

  void delete(String chunkId) {
    Integer ordinal = ordinals.remove(chunkId);
    if (ordinal != null) {
      deleted.set(ordinal);
      builder.markNodeDeleted(ordinal);
      String documentId = entries.get(ordinal).documentId();
      chunksOfDocument.computeIfPresent(documentId, (d, chunks) -> {
        chunks.remove(chunkId);
        return chunks.isEmpty() ? null : chunks;
      });
    }
  }

  /** Deletes every chunk of a document. */
  void deleteDocument(String documentId) {
    Set<String> chunks = chunksOfDocument.get(documentId);
    if (chunks != null) {
      for (String chunkId : List.copyOf(chunks)) {
        delete(chunkId);
      }
    }
  }

  /** The best {@code k} live chunks that pass {@code filters}, as cosine similarities. */
  List<ScoredChunk> search(VectorFloat<?> unitQuery, int k, Map<String, String> filters) {
    if (ordinals.isEmpty()) {
      return List.of();
    }
    if (entries.size() <= EXACT_BELOW) {
      return exact(unitQuery, k, filters);
    }
    // the filter runs inside the graph walk, so k filtered results come back even when few chunks match
    Bits accept = filters.isEmpty()
      ? ordinal -> !deleted.get(ordinal)
      : ordinal -> !deleted.get(ordinal) && entries.get(ordinal).matches(filters);
    GraphSearcher searcher = searchers.get();
    searcher.setView(builder.getGraph().getView());
    SearchResult result = searcher.search(DefaultSearchScoreProvider.exact(unitQuery, SIMILARITY, vectors), k, accept);
    List<ScoredChunk> out = new ArrayList<>(result.getNodes().length);
    for (SearchResult.NodeScore ns : result.getNodes()) {
      // JVector maps dot product to (1 + dot) / 2; report the cosine itself
      out.add(new ScoredChunk(entries.get(ns.node).chunkId(), 2.0 * ns.score - 1.0));
    }
    return out;
  }

  /**
   * Exact scoring of every live vector: for small shards it costs less than a graph walk and is always exact (as
   * Lucene does for small segments). It also covers a JVector corner: a node added after every other node of the graph
   * was marked deleted gets no edges, so a walk from the (deleted) entry point cannot reach it until the graph is
   * compacted — only tiny graphs end up like that.
   */
  private List<ScoredChunk> exact(VectorFloat<?> unitQuery, int k, Map<String, String> filters) {
    List<ScoredChunk> all = new ArrayList<>();
    for (int ordinal = 0; ordinal < entries.size(); ordinal++) {
      if (deleted.get(ordinal) || (!filters.isEmpty() && !entries.get(ordinal).matches(filters))) {
        continue;
      }
      float dot = io.github.jbellis.jvector.vector.VectorUtil.dotProduct(unitQuery, vectors.getVector(ordinal));
      all.add(new ScoredChunk(entries.get(ordinal).chunkId(), dot));
    }
    all.sort((a, b) -> Double.compare(b.score(), a.score()));
    return all.size() > k ? List.copyOf(all.subList(0, k)) : all;
  }

  int live() {
    return ordinals.size();
  }

  /** Whether {@link #close} ran (the generation was replaced or dropped). */
  boolean closed() {
    return closed;
  }

  int ordinals() {
    return entries.size();
  }

  VectorEntry entry(int ordinal) {
    return entries.get(ordinal);
  }

  VectorFloat<?> vector(int ordinal) {
    return vectors.getVector(ordinal);
  }

  boolean isDeleted(int ordinal) {
    return deleted.get(ordinal);
  }

  /**
   * Writes the graph's adjacency: entry node, then per ordinal its top level and its neighbours on each level.
   * Written through JVector's public graph API rather than {@code OnHeapGraphIndex.save}, which requires a
   * {@code cleanup()} that freezes the graph against further inserts. Caller holds the write lock.
   */
  void saveGraph(DataOutputStream out) throws IOException {
    OnHeapGraphIndex graph = (OnHeapGraphIndex) builder.getGraph();
    ImmutableGraphIndex.NodeAtLevel entry = graph.entryNode();
    out.writeInt(entry == null ? -1 : entry.node);
    out.writeInt(entry == null ? -1 : entry.level);
    out.writeInt(entries.size());
    for (int node = 0; node < entries.size(); node++) {
      int top = graph.containsNode(node) ? graph.getMaxLevelForNode(node) : -1;
      out.writeInt(top);
      for (int level = 0; level <= top; level++) {
        NodesIterator neighbours = graph.getNeighborsIterator(level, node);
        out.writeInt(neighbours.size());
        while (neighbours.hasNext()) {
          out.writeInt(neighbours.nextInt());
        }
      }
    }
  }

  /**
   * Restores the adjacency written by {@link #saveGraph} over the vectors already re-added with {@link #restore}.
   * Edge scores are recomputed from the vectors, as JVector's own loader does.
   */
  void loadGraph(DataInputStream in) throws IOException {
    OnHeapGraphIndex graph = (OnHeapGraphIndex) builder.getGraph();
    int entryNode = in.readInt();
    int entryLevel = in.readInt();
    int count = in.readInt();
    if (count != entries.size()) {
      throw new IOException("graph has " + count + " nodes but " + entries.size() + " vectors were saved");
    }
    int[] tops = new int[count];
    for (int node = 0; node < count; node++) {
      tops[node] = in.readInt();
      VectorFloat<?> v = vectors.getVector(node);
      for (int level = 0; level <= tops[node]; level++) {
        int n = in.readInt();
        NodeArray neighbours = new NodeArray(Math.max(n, 1));
        for (int i = 0; i < n; i++) {
          int neighbour = in.readInt();
          neighbours.insertSorted(neighbour, SIMILARITY.compare(v, vectors.getVector(neighbour)));
        }
        graph.connectNode(level, node, neighbours);
      }
    }
    // searches only follow edges to nodes marked complete
    for (int node = 0; node < count; node++) {
      if (tops[node] >= 0) {
        graph.markComplete(new ImmutableGraphIndex.NodeAtLevel(tops[node], node));
      }
    }
    if (entryNode >= 0) {
      graph.updateEntryNode(new ImmutableGraphIndex.NodeAtLevel(entryLevel, entryNode));
    }
  }

  /** Re-adds a saved ordinal without touching the graph (its edges come from {@link #loadGraph}). */
  void restore(VectorEntry entry, VectorFloat<?> unitVector, boolean isDeleted) {
    int ordinal = vectors.add(unitVector);
    entries.add(entry);
    if (isDeleted) {
      deleted.set(ordinal);
    } else {
      ordinals.put(entry.chunkId(), ordinal);
      chunksOfDocument.computeIfAbsent(entry.documentId(), d -> ConcurrentHashMap.newKeySet()).add(entry.chunkId());
    }
  }

  /** Marks the restored deleted ordinals in the loaded graph too, so inserts stop linking to them. */
  void markRestoredDeletions() {
    for (int i = 0; i < entries.size(); i++) {
      if (deleted.get(i)) {
        builder.markNodeDeleted(i);
      }
    }
  }

  /** Closes every thread's searcher, then the builder. Called when this generation is replaced or dropped. */
  @Override
  public void close() throws IOException {
    closed = true;
    try (builder) {
      searchers.close();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("closing the vector searchers failed", e);
    }
  }
}
