package io.ganglion.retrieval.index;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.NodeArray;
import io.github.jbellis.jvector.graph.NodesIterator;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.util.ExplicitThreadLocal;
import io.github.jbellis.jvector.util.FixedBitSet;
import io.github.jbellis.jvector.util.ThreadSafeGrowableBitSet;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The in-heap segment of a shard's vector index: float32 vectors, a JVector graph built incrementally over them, the
 * vectors' byte codes the graph walk scores ({@link ScalarCodes}; exact float32 scores rank what the walk found), and
 * the ordinal bookkeeping. A small shard holds all its vectors here; a large one holds only those added since its
 * {@link DiskSegment} was written (see {@link VectorIndex}). Vectors are unit length and compared by dot product
 * (cosine, without the per-pair norms). Deleted ordinals stay in the graph as routing nodes and are excluded at query
 * time; compaction or a merge replaces the segment.
 * <p>
 * <b>NOTE</b>: {@link #search} is safe from any number of threads concurrently with one writer. Each thread keeps its
 * own {@link NeighbourScoring} searcher (a JVector {@link GraphSearcher} whose walk scores each node's neighbours
 * together; its scratch is per searcher and sized by the graph), so callers should be
 * a fixed pool of platform threads, not virtual threads or a thread per call. {@link #add} and {@link #delete} must
 * be serialised by the caller.
 * <p>
 * <b>NOTE</b>: the searchers live in JVector's {@link ExplicitThreadLocal} (as in {@code GraphIndexBuilder}), so
 * closing can close every one of them, then the builder; a plain {@code ThreadLocal} would keep each pool thread's
 * searcher, and through it this segment's graph, for as long as the thread lives. The segment is reference-counted
 * ({@link #acquire}, {@link #release}): {@link #close} drops the owner's reference, and the searchers close when the
 * last search holding the segment is done. A search started on it after that still completes (on-heap graph views hold
 * nothing to release, and a searcher made after the close is collected with the segment).
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
  /** The vectors as bytes, which the walk scores (null below {@link #EXACT_BELOW} or without the Vector API). */
  private volatile ScalarCodes codes;
  private final AppendOnlyList<VectorEntry> entries = new AppendOnlyList<>();
  private final Map<String, Integer> ordinals = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> chunksOfDocument = new ConcurrentHashMap<>();
  private final ThreadSafeGrowableBitSet deleted = new ThreadSafeGrowableBitSet(1024);
  private final MetadataPostings postings = new MetadataPostings();
  private final GraphIndexBuilder builder;
  private final ExplicitThreadLocal<NeighbourScoring> searchers;
  private final Refs refs = new Refs(this::closeNow);
  private volatile boolean closed;

  VectorGraph(int dimension) {
    this.vectors = new GrowableVectorValues(dimension);
    this.builder = GraphIndexBuilder.builder(vectors, SIMILARITY, MAX_DEGREE)
      .withBeamWidth(BEAM_WIDTH)
      .withNeighborOverflow(NEIGHBOR_OVERFLOW)
      .withAlpha(ALPHA)
      .build();
    this.searchers = ExplicitThreadLocal.withInitial(() -> new NeighbourScoring(builder.getGraph()));
  }

  /**
   * A segment holding {@code entries} and their unit {@code vectors} (same order), its graph built on {@code pool}'s
   * threads at once rather than one insert at a time: the rebuild path. A chunk id that repeats keeps its last
   * vector.
   */
  static VectorGraph bulk(int dimension, List<VectorEntry> entries, List<VectorFloat<?>> vectors, ForkJoinPool pool) {
    VectorGraph g = new VectorGraph(dimension);
    for (int i = 0; i < entries.size(); i++) {
      g.register(entries.get(i), vectors.get(i));
    }
    int n = g.entries.size();
    pool.submit(() -> IntStream.range(0, n).parallel().forEach(o -> g.builder.addGraphNode(o, g.vectors.getVector(o))))
      .join();
    for (int o = 0; o < n; o++) {
      if (g.deleted.get(o)) {
        g.builder.markNodeDeleted(o);
      }
    }
    return g;
  }

  int dimension() {
    return vectors.dimension();
  }

  /** Adds a unit-length vector; a previous vector of the same chunk id is deleted first. */
  void add(VectorEntry entry, VectorFloat<?> unitVector) {
    builder.addGraphNode(register(entry, unitVector), unitVector);
  }

  /** Records the vector and its entry without linking it into the graph; returns its ordinal. */
  private int register(VectorEntry entry, VectorFloat<?> unitVector) {
    delete(entry.chunkId());
    int ordinal = vectors.add(unitVector);
    encode(unitVector, ordinal);
    int same = entries.add(entry);
    assert same == ordinal;
    ordinals.put(entry.chunkId(), ordinal);
    chunksOfDocument.computeIfAbsent(entry.documentId(), d -> ConcurrentHashMap.newKeySet()).add(entry.chunkId());
    postings.add(ordinal, entry.metadata());
    return ordinal;
  }

  /**
   * Keeps the walk's byte codes level with the vectors (before the vector joins the graph, so a walk that reaches it
   * finds its codes): fitted once the segment is walked rather than scanned ({@link #EXACT_BELOW}), fitted again each
   * time it has doubled since, so the range follows what arrived. A walk still on the codes it started with scores a
   * vector they lack exactly.
   */
  private void encode(VectorFloat<?> unitVector, int ordinal) {
    if (!NeighbourScoring.VECTOR_API || !(unitVector.get() instanceof float[])) {
      return;
    }
    ScalarCodes c = codes;
    int n = ordinal + 1;
    if (c == null ? n >= EXACT_BELOW : n >= 2 * c.fittedOn()) {
      codes = ScalarCodes.encode(vectors);
    } else if (c != null) {
      c.add(unitVector);
    }
  }

  /** Whether the graph walk scores byte codes (then re-scores its candidates on the float32 vectors). */
  boolean coded() {
    return codes != null;
  }

  /** Whether {@code chunkId} is here and live. */
  boolean contains(String chunkId) {
    return ordinals.containsKey(chunkId);
  }

  void delete(String chunkId) {
    Integer ordinal = ordinals.remove(chunkId);
    if (ordinal != null) {
      deleted.set(ordinal);
      if (builder.getGraph().containsNode(ordinal)) {
        builder.markNodeDeleted(ordinal);
      }
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

  /**
   * The best {@code k} live chunks that pass {@code filters}, as cosine similarities, walking with a beam of
   * {@code beam} candidates (at least {@code k}).
   */
  List<ScoredChunk> search(VectorFloat<?> unitQuery, int k, int beam, Map<String, String> filters) {
    if (ordinals.isEmpty()) {
      return List.of();
    }
    int size = entries.size();
    if (size <= EXACT_BELOW) {
      return exact(unitQuery, k, filters.isEmpty() ? null : postings.matching(filters));
    }
    Bits accept;
    if (filters.isEmpty()) {
      accept = ordinal -> !deleted.get(ordinal);
    } else {
      // few matches are scored exactly (a walk would reject almost every node it visits); otherwise the filter
      // runs inside the graph walk, so k filtered results come back however the matches spread over the graph
      int[] matching = postings.matching(filters);
      if (matching.length <= Math.max(DiskSegment.EXACT_FILTER_BELOW, size / 50)) {
        return exact(unitQuery, k, matching);
      }
      FixedBitSet bits = new FixedBitSet(size);
      for (int o : matching) {
        if (o < size && !deleted.get(o)) {
          bits.set(o);
        }
      }
      accept = bits;
    }
    // each expanded node's neighbours are scored together (NeighbourScoring), over a fresh view of the growing graph:
    // on their byte codes, the beam's candidates then re-scored on the float32 vectors
    ScalarCodes c = codes;
    NeighbourScoring searcher = searchers.get();
    var view = builder.getGraph().getView();
    SearchResult result = c != null && unitQuery.get() instanceof float[]
      ? searcher.search(view, unitQuery, c, vectors, k, Math.max(k, beam), accept)
      : searcher.search(view, unitQuery, vectors, k, Math.max(k, beam), accept);
    List<ScoredChunk> out = new ArrayList<>(result.getNodes().length);
    for (SearchResult.NodeScore ns : result.getNodes()) {
      // JVector maps dot product to (1 + dot) / 2; report the cosine itself
      out.add(new ScoredChunk(entries.get(ns.node).chunkId(), 2.0 * ns.score - 1.0));
    }
    return out;
  }

  /**
   * Exact scoring of every live vector among {@code candidates} ({@code null}: all of them): for small shards and
   * selective filters it costs less than a graph walk and is always exact (as Lucene does for small segments). It also
   * covers a JVector corner: a node added after every other node of the graph was marked deleted gets no edges, so a
   * walk from the (deleted) entry point cannot reach it until the graph is compacted — only tiny graphs end up like
   * that.
   */
  private List<ScoredChunk> exact(VectorFloat<?> unitQuery, int k, int[] candidates) {
    int size = entries.size();
    int n = candidates == null ? size : candidates.length;
    List<ScoredChunk> all = new ArrayList<>();
    float[] q = NeighbourScoring.VECTOR_API && unitQuery.get() instanceof float[] a ? a : null;
    for (int i = 0; i < n; i++) {
      int ordinal = candidates == null ? i : candidates[i];
      if (ordinal >= size || deleted.get(ordinal)) {
        continue;
      }
      float dot = NeighbourScoring.dot(q, unitQuery, vectors.getVector(ordinal));
      all.add(new ScoredChunk(entries.get(ordinal).chunkId(), dot));
    }
    all.sort((a, b) -> Double.compare(b.score(), a.score()));
    return all.size() > k ? List.copyOf(all.subList(0, k)) : all;
  }

  /** Copies the live vectors and entries into {@code file} and {@code out}; returns the ordinals copied, in order. */
  int[] copyLive(VectorFile file, List<VectorEntry> out) throws IOException {
    int n = entries.size();
    int[] copied = new int[n];
    int c = 0;
    for (int o = 0; o < n; o++) {
      if (!deleted.get(o)) {
        file.append(vectors.getVector(o));
        out.add(entries.get(o));
        copied[c++] = o;
      }
    }
    return Arrays.copyOf(copied, c);
  }

  /**
   * Heap bytes this segment holds: vectors (array and object headers included) and their byte codes, the graph's
   * adjacency, and an estimate of the bookkeeping per entry (ids, maps, postings).
   */
  long heapBytes() {
    ScalarCodes c = codes;
    long n = entries.size();
    long perVector = 32L + (long) vectors.dimension() * Float.BYTES;
    long perEntry = 200; // VectorEntry, its id strings, the ordinal and per-document map nodes
    // base-layer neighbours: node and score arrays sized degree x overflow, plus their holder (upper layers are ~1/M)
    long perNode = 64L + (long) Math.ceil(MAX_DEGREE * NEIGHBOR_OVERFLOW) * (Integer.BYTES + Float.BYTES);
    return n * (perVector + perEntry + perNode) + postings.ramBytes() + (c == null ? 0 : c.bytes());
  }

  /** Takes a reference for one search; false once the segment was closed (read the index's state again). */
  boolean acquire() {
    return refs.acquire();
  }

  void release() {
    refs.release();
  }

  /** Drops the owner's reference: searchers and builder close once no search holds the segment. */
  @Override
  public void close() {
    refs.release();
  }

  /** Closes every thread's searcher, then the builder: the last reference to a replaced or dropped segment left. */
  private void closeNow() {
    closed = true;
    try (builder) {
      searchers.close();
    } catch (Exception e) {
      throw new IllegalStateException("closing an in-heap vector segment failed", e);
    }
  }

  int live() {
    return ordinals.size();
  }

  /** Whether the segment's searchers and builder were closed (it was replaced or dropped, and no search held it). */
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
    encode(unitVector, ordinal); // codes are derived from the vectors, not saved
    entries.add(entry);
    postings.add(ordinal, entry.metadata());
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

}
