package io.ganglion.retrieval.index;

import io.github.jbellis.jvector.disk.BufferedRandomAccessWriter;
import io.github.jbellis.jvector.disk.ReaderSupplier;
import io.github.jbellis.jvector.disk.ReaderSupplierFactory;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.NodeArray;
import io.github.jbellis.jvector.graph.NodesIterator;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndexWriter;
import io.github.jbellis.jvector.graph.disk.feature.FeatureId;
import io.github.jbellis.jvector.graph.disk.feature.InlineVectors;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.quantization.KMeansPlusPlusClusterer;
import io.github.jbellis.jvector.quantization.PQVectors;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.util.AtomicFixedBitSet;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.util.ExplicitThreadLocal;
import io.github.jbellis.jvector.util.FixedBitSet;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * An immutable segment of a shard's vectors on disk: a JVector {@link OnDiskGraphIndex} (adjacency and float32
 * vectors inline, memory-mapped), walked with those vectors (exact scores read through the page cache), or, when built
 * with PQ, with product-quantized codes held on the heap and the best {@code beam} candidates reranked exactly with the
 * inline vectors (the configuration JVector's own benchmarks run large indexes with). What the heap holds per vector is
 * the packed {@link EntryTable} row, a deletion bit and, with PQ, its code ({@link VectorIndexConfig#subspacesFor}
 * bytes); the graph and vectors stay in the page cache.
 * <p>
 * Files in its directory: {@code graph.jv}, {@code entries.bin}, with PQ {@code pq.bin}; deletions live in memory (a
 * snapshot writes them beside the links to these files). Deleted ordinals stay in the graph and are skipped at query
 * time until a merge drops them.
 * <p>
 * <b>NOTE</b>: {@link #search} runs concurrently from any number of threads, each with its own view and
 * {@link NeighbourScoring} walk (JVector's scratch and the copied vectors are per searcher), so callers should be a
 * fixed pool of platform threads. Deletes may run concurrently with searches; callers serialise them. The segment is
 * reference-counted: {@link #close()} releases its files once the last search that {@link #acquire acquired} it has {@link #release released} it.
 */
final class DiskSegment implements Closeable {

  static final String GRAPH = "graph.jv";
  static final String CODES = "pq.bin";
  static final String ENTRIES = "entries.bin";
  static final int MAX_DEGREE = VectorGraph.MAX_DEGREE;
  static final int BUILD_BEAM = VectorGraph.BEAM_WIDTH;
  /** Filters matching at most this many vectors (or 2% of the segment) are scored exactly instead of walked. */
  static final int EXACT_FILTER_BELOW = 16_384;
  private static final VectorSimilarityFunction SIMILARITY = VectorSimilarityFunction.DOT_PRODUCT;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DiskSegment.class);

  private final Path dir;
  private final ReaderSupplier graphFile;
  private final OnDiskGraphIndex graph;
  private final PQVectors codes; // null: exact traversal
  private final EntryTable entries;
  private final AtomicFixedBitSet deleted;
  private final AtomicInteger live;
  private final ExplicitThreadLocal<Walker> searchers;
  private final Refs refs = new Refs(this::closeFiles);

  private DiskSegment(Path dir, ReaderSupplier graphFile, OnDiskGraphIndex graph, PQVectors codes,
                      EntryTable entries) {
    this.dir = dir;
    this.graphFile = graphFile;
    this.graph = graph;
    this.codes = codes;
    this.entries = entries;
    this.deleted = new AtomicFixedBitSet(Math.max(1, entries.size()));
    this.live = new AtomicInteger(entries.size());
    this.searchers = ExplicitThreadLocal.withInitial(() -> new Walker(graph.getView()));
  }

  /**
   * Builds a segment in {@code dir} (created, must not exist) from {@code vectors} (unit length) and their
   * {@code entries} in the same order, sorted by document id: PQ codebooks trained on the vectors, a graph built
   * with exact scores on {@code pool}, both written, then opened.
   */
  static DiskSegment build(Path dir, RandomAccessVectorValues vectors, List<VectorEntry> entries,
                           VectorIndexConfig config, ForkJoinPool pool) throws IOException {
    if (vectors.size() != entries.size() || vectors.size() == 0) {
      throw new IllegalArgumentException(vectors.size() + " vectors for " + entries.size() + " entries");
    }
    Files.createDirectories(dir);
    long t0 = System.nanoTime();
    EntryTable table = EntryTable.of(entries);
    int dimension = vectors.dimension();
    writeCodes(dir, vectors, config, pool);
    long t1 = System.nanoTime();
    BuildScoreProvider scores = BuildScoreProvider.randomAccessScoreProvider(vectors, SIMILARITY);
    long t2;
    try (GraphIndexBuilder builder = new GraphIndexBuilder(scores, dimension, MAX_DEGREE, BUILD_BEAM,
           VectorGraph.NEIGHBOR_OVERFLOW, VectorGraph.ALPHA, true, true, pool, pool)) {
      ImmutableGraphIndex built = builder.build(vectors);
      t2 = System.nanoTime();
      try (var writer = new OnDiskGraphIndexWriter.Builder(built, dir.resolve(GRAPH))
             .with(new InlineVectors(dimension)).build()) {
        writer.write(Map.of(FeatureId.INLINE_VECTORS, o -> new InlineVectors.State(vectors.getVector(o))));
      }
    }
    writeEntries(dir, table);
    LOG.info("built an on-disk vector segment of {} vectors in {} ms (PQ {} ms, graph {} ms, write {} ms)",
      entries.size(), (System.nanoTime() - t0) / 1_000_000, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
      (System.nanoTime() - t2) / 1_000_000);
    return open(dir);
  }

  /**
   * Builds a segment in {@code dir} (created, must not exist) from {@code base}'s graph extended with new vectors,
   * instead of building a graph over all of them again: base's adjacency is loaded into an in-heap JVector graph
   * under the new ordinals (edge scores recomputed, as JVector's own loader does), base's deleted vectors are marked
   * deleted, the new vectors are inserted with {@code GraphIndexBuilder.addGraphNode} (the same insert the in-heap
   * segment makes), and JVector's cleanup then removes the deleted nodes, reconnecting their neighbours. The
   * survivors of base keep the edges the full build gave them; what a merge costs grows with the vectors added, not
   * with the segment. The final refinement pass of a full build is not run. With PQ, base's codebooks (when the
   * configuration still asks for as many subspaces) encode every vector, instead of codebooks trained again.
   *
   * @param vectors every vector by graph id: ids below {@code entries.size()} are the new segment's ordinals (its
   *     {@code entries}, in order, sorted by document id); ids from {@code entries.size()} on are base's deleted
   *     vectors, in the graph only until cleanup removes them
   * @param graphIdOfBase each ordinal of base's graph id in {@code vectors}
   * @param added the graph ids of the vectors that are not in base
   */
  static DiskSegment extend(Path dir, DiskSegment base, RandomAccessVectorValues vectors, int[] graphIdOfBase,
                            int[] added, List<VectorEntry> entries, VectorIndexConfig config, ForkJoinPool pool)
    throws IOException {
    int live = entries.size();
    if (graphIdOfBase.length != base.size() || live == 0 || vectors.size() < live) {
      throw new IllegalArgumentException(base.size() + " base ordinals, " + graphIdOfBase.length + " mapped, "
        + live + " entries, " + vectors.size() + " vectors");
    }
    Files.createDirectories(dir);
    long t0 = System.nanoTime();
    EntryTable table = EntryTable.of(entries);
    RandomAccessVectorValues kept = new Prefix(vectors, live);
    int dimension = vectors.dimension();
    int subspaces = config.subspacesFor(dimension);
    if (base.codes != null && base.codes.getCompressor().getSubspaceCount() == subspaces) {
      // base's codebooks encode the new vectors too: they come from the same distribution, and training is slow
      writeCodes(dir, base.codes.getCompressor(), kept, pool);
    } else {
      writeCodes(dir, kept, config, pool);
    }
    long t1 = System.nanoTime();
    long t2;
    long t3;
    BuildScoreProvider scores = BuildScoreProvider.randomAccessScoreProvider(vectors, SIMILARITY);
    try (GraphIndexBuilder builder = new GraphIndexBuilder(scores, dimension, MAX_DEGREE, BUILD_BEAM,
           VectorGraph.NEIGHBOR_OVERFLOW, VectorGraph.ALPHA, true, false, pool, pool)) {
      linkBase(base, (OnHeapGraphIndex) builder.getGraph(), vectors, graphIdOfBase, pool);
      for (int id = live; id < vectors.size(); id++) {
        builder.markNodeDeleted(id);
      }
      t2 = System.nanoTime();
      pool.submit(() -> java.util.Arrays.stream(added).parallel()
        .forEach(id -> builder.addGraphNode(id, vectors.getVector(id)))).join();
      builder.cleanup();
      t3 = System.nanoTime();
      ImmutableGraphIndex built = builder.getGraph();
      if (built.size(0) != live) {
        throw new IOException("extended graph has " + built.size(0) + " nodes for " + live + " entries");
      }
      try (var writer = new OnDiskGraphIndexWriter.Builder(built, dir.resolve(GRAPH))
             .with(new InlineVectors(dimension)).build()) {
        writer.write(Map.of(FeatureId.INLINE_VECTORS, o -> new InlineVectors.State(vectors.getVector(o))));
      }
    }
    writeEntries(dir, table);
    LOG.info("extended an on-disk vector segment of {} vectors to {} ({} added) in {} ms (PQ {} ms, loading base's "
        + "graph {} ms, inserts and cleanup {} ms, write {} ms)", base.size(), live, added.length,
      (System.nanoTime() - t0) / 1_000_000, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000,
      (System.nanoTime() - t3) / 1_000_000);
    return open(dir);
  }

  /**
   * Copies base's adjacency, every level, into {@code graph} under the graph ids of {@code graphIdOfBase}, with
   * edge scores from {@code vectors}; the entry node stays base's. The base layer is linked in parallel on
   * {@code pool} (one node per task); the upper layers, about 1/16 of the nodes, one at a time, since creating a
   * layer is not safe from several threads.
   */
  private static void linkBase(DiskSegment base, OnHeapGraphIndex graph, RandomAccessVectorValues vectors,
                               int[] graphIdOfBase, ForkJoinPool pool) throws IOException {
    int n = base.size();
    int[] top = new int[n];
    for (int level = 1; level <= base.graph.getMaxLevel(); level++) {
      NodesIterator it = base.graph.getNodes(level);
      while (it.hasNext()) {
        top[it.nextInt()] = level;
      }
    }
    try (OnDiskGraphIndex.View view = base.graph.getView()) {
      for (int o = 0; o < n; o++) {
        for (int level = 1; level <= top[o]; level++) {
          graph.connectNode(level, graphIdOfBase[o], neighbours(view, level, o, vectors, graphIdOfBase));
        }
      }
      ImmutableGraphIndex.NodeAtLevel entry = view.entryNode();
      ExplicitThreadLocal<OnDiskGraphIndex.View> views = ExplicitThreadLocal.withInitial(base.graph::getView);
      try (views) {
        pool.submit(() -> IntStream.range(0, n).parallel().forEach(o ->
          graph.connectNode(0, graphIdOfBase[o], neighbours(views.get(), 0, o, vectors, graphIdOfBase)))).join();
      } catch (Exception e) {
        throw new IOException("closing the views of " + base.dir, e);
      }
      // searches and inserts only follow edges to nodes marked complete
      for (int o = 0; o < n; o++) {
        graph.markComplete(new ImmutableGraphIndex.NodeAtLevel(top[o], graphIdOfBase[o]));
      }
      graph.updateEntryNode(new ImmutableGraphIndex.NodeAtLevel(entry.level, graphIdOfBase[entry.node]));
    }
  }

  private static NodeArray neighbours(OnDiskGraphIndex.View view, int level, int node, RandomAccessVectorValues vectors,
                                      int[] graphIdOfBase) {
    VectorFloat<?> v = vectors.getVector(graphIdOfBase[node]);
    NodesIterator it = view.getNeighborsIterator(level, node);
    NodeArray out = new NodeArray(Math.max(1, it.size()));
    while (it.hasNext()) {
      int neighbour = graphIdOfBase[it.nextInt()];
      out.insertSorted(neighbour, SIMILARITY.compare(v, vectors.getVector(neighbour)));
    }
    return out;
  }

  /** The first {@code size} vectors of {@code source}. */
  private record Prefix(RandomAccessVectorValues source, int size) implements RandomAccessVectorValues {
    @Override
    public int dimension() {
      return source.dimension();
    }

    @Override
    public VectorFloat<?> getVector(int ordinal) {
      return source.getVector(ordinal);
    }

    @Override
    public boolean isValueShared() {
      return source.isValueShared();
    }

    @Override
    public RandomAccessVectorValues copy() {
      return new Prefix(source.copy(), size);
    }
  }

  /** With PQ configured: codebooks trained on {@code vectors} and their codes, written to {@link #CODES}. */
  private static void writeCodes(Path dir, RandomAccessVectorValues vectors, VectorIndexConfig config,
                                 ForkJoinPool pool) throws IOException {
    int subspaces = config.subspacesFor(vectors.dimension());
    if (subspaces > 0) {
      writeCodes(dir, ProductQuantization.compute(vectors, subspaces, 256, false,
        KMeansPlusPlusClusterer.UNWEIGHTED, pool, pool), vectors, pool);
    }
  }

  /** The codes of {@code vectors} under {@code pq}'s codebooks, written to {@link #CODES}. */
  private static void writeCodes(Path dir, ProductQuantization pq, RandomAccessVectorValues vectors,
                                 ForkJoinPool pool) throws IOException {
    PQVectors pqVectors = pq.encodeAll(vectors, pool);
    try (BufferedRandomAccessWriter out = new BufferedRandomAccessWriter(dir.resolve(CODES))) {
      pqVectors.write(out);
    }
  }

  private static void writeEntries(Path dir, EntryTable table) throws IOException {
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
           Files.newOutputStream(dir.resolve(ENTRIES)), 1 << 16))) {
      table.write(out);
    }
  }

  /** Opens the segment files in {@code dir}, no deletions. */
  static DiskSegment open(Path dir) throws IOException {
    EntryTable table;
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(
           Files.newInputStream(dir.resolve(ENTRIES)), 1 << 16))) {
      table = EntryTable.read(in);
    }
    PQVectors codes = null;
    if (Files.exists(dir.resolve(CODES))) {
      try (ReaderSupplier rs = ReaderSupplierFactory.open(dir.resolve(CODES)); var reader = rs.get()) {
        codes = PQVectors.load(reader);
      }
    }
    ReaderSupplier graphFile = ReaderSupplierFactory.open(dir.resolve(GRAPH));
    OnDiskGraphIndex graph = OnDiskGraphIndex.load(graphFile);
    if (graph.size(0) != table.size() || (codes != null && codes.count() != table.size())) {
      graph.close();
      graphFile.close();
      throw new IOException("segment " + dir + " is inconsistent: graph " + graph.size(0) + ", codes "
        + (codes == null ? "none" : codes.count()) + ", entries " + table.size());
    }
    return new DiskSegment(dir, graphFile, graph, codes, table);
  }

  Path dir() {
    return dir;
  }

  int dimension() {
    return graph.getDimension();
  }

  /** Whether the walk scores PQ codes (else the inline float32 vectors). */
  boolean quantized() {
    return codes != null;
  }

  /** The files of this segment, for a snapshot. */
  List<String> files() {
    return codes == null ? List.of(GRAPH, ENTRIES) : List.of(GRAPH, CODES, ENTRIES);
  }

  int size() {
    return entries.size();
  }

  int live() {
    return live.get();
  }

  boolean isDeleted(int ordinal) {
    return deleted.get(ordinal);
  }

  VectorEntry entry(int ordinal) {
    return entries.entry(ordinal);
  }

  /** Whether {@code chunkId} is here and live. */
  boolean contains(String chunkId) {
    int o = entries.ordinalOf(chunkId);
    return o >= 0 && !deleted.get(o);
  }

  void delete(String chunkId) {
    int o = entries.ordinalOf(chunkId);
    if (o >= 0 && !deleted.getAndSet(o)) {
      live.decrementAndGet();
    }
  }

  void deleteDocument(String documentId) {
    int[] range = entries.documentRange(documentId);
    if (range != null) {
      for (int o = range[0]; o < range[1]; o++) {
        if (!deleted.getAndSet(o)) {
          live.decrementAndGet();
        }
      }
    }
  }

  /** Marks {@code ordinal} deleted (restoring a snapshot's deletions, or those made during a merge). */
  void markDeleted(int ordinal) {
    if (!deleted.getAndSet(ordinal)) {
      live.decrementAndGet();
    }
  }

  /** A copy of the deletion bits, for a snapshot. */
  FixedBitSet deletions() {
    FixedBitSet copy = new FixedBitSet(Math.max(1, size()));
    for (int i = 0; i < size(); i++) {
      if (deleted.get(i)) {
        copy.set(i);
      }
    }
    return copy;
  }

  /**
   * The best {@code k} live vectors that pass {@code filters}, as cosine similarities, walking with a beam of
   * {@code beam} candidates (at least {@code k}) that are reranked exactly.
   */
  List<ScoredChunk> search(VectorFloat<?> unitQuery, int k, int beam, Map<String, String> filters) {
    if (live.get() == 0) {
      return List.of();
    }
    Walker walker = searchers.get();
    OnDiskGraphIndex.View view = walker.view;
    Bits accept;
    if (filters.isEmpty()) {
      accept = live.get() == size() ? Bits.ALL : ordinal -> !deleted.get(ordinal);
    } else {
      int[] matching = entries.matching(filters);
      if (matching.length <= Math.max(EXACT_FILTER_BELOW, size() / 50)) {
        return exact(view.rerankerFor(unitQuery, SIMILARITY), matching, k);
      }
      FixedBitSet bits = new FixedBitSet(size());
      for (int o : matching) {
        if (!deleted.get(o)) {
          bits.set(o);
        }
      }
      accept = bits;
    }
    // float32: each expanded node's neighbours copied out of the mapped file and scored four at a time
    SearchResult result = codes == null
      ? walker.scoring.search(view, unitQuery, view, k, Math.max(k, beam), accept)
      : walker.scoring.search(view, new DefaultSearchScoreProvider(
          codes.precomputedScoreFunctionFor(unitQuery, SIMILARITY), view.rerankerFor(unitQuery, SIMILARITY)),
          k, Math.max(k, beam), accept);
    List<ScoredChunk> out = new ArrayList<>(result.getNodes().length);
    for (SearchResult.NodeScore ns : result.getNodes()) {
      out.add(new ScoredChunk(entries.chunkId(ns.node), 2.0 * ns.score - 1.0));
    }
    return out;
  }

  /** Exact scores of the live ordinals among {@code candidates}: cheaper than a walk that rejects 98% of its nodes. */
  private List<ScoredChunk> exact(ScoreFunction.ExactScoreFunction exact, int[] candidates, int k) {
    int[] best = new int[Math.max(1, k)];
    float[] scores = new float[best.length];
    int n = 0;
    for (int o : candidates) {
      if (deleted.get(o)) {
        continue;
      }
      float s = exact.similarityTo(o);
      if (n < k || s > scores[n - 1]) {
        int j = n < k ? n++ : n - 1;
        while (j > 0 && scores[j - 1] < s) {
          scores[j] = scores[j - 1];
          best[j] = best[j - 1];
          j--;
        }
        scores[j] = s;
        best[j] = o;
      }
    }
    List<ScoredChunk> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new ScoredChunk(entries.chunkId(best[i]), 2.0 * scores[i] - 1.0));
    }
    return out;
  }

  /**
   * Copies the live vectors and entries into {@code file} and {@code out}, in ordinal order (document order), for a
   * merge. Returns the ordinals copied, in the same order.
   */
  int[] copyLive(VectorFile file, List<VectorEntry> out) throws IOException {
    int[] copied = new int[live.get()];
    int n = 0;
    try (var view = graph.getView()) {
      for (int o = 0; o < size(); o++) {
        if (!deleted.get(o)) {
          if (n == copied.length) {
            copied = java.util.Arrays.copyOf(copied, n * 2 + 1);
          }
          file.append(view.getVector(o));
          out.add(entries.entry(o));
          copied[n++] = o;
        }
      }
    }
    return java.util.Arrays.copyOf(copied, n);
  }

  /**
   * Copies every vector, deleted ones too, into {@code file} in ordinal order, for a merge that extends this
   * segment's graph ({@link #extend}). Returns the ordinals that were live at the copy, in order.
   */
  int[] copyAll(VectorFile file) throws IOException {
    int[] copied = new int[size()];
    int n = 0;
    try (var view = graph.getView()) {
      for (int o = 0; o < size(); o++) {
        file.append(view.getVector(o));
        if (!deleted.get(o)) {
          copied[n++] = o;
        }
      }
    }
    return java.util.Arrays.copyOf(copied, n);
  }

  /** Heap bytes this segment holds (codes, entries, deletions, the graph's in-heap upper layers). */
  long heapBytes() {
    return (codes == null ? 0 : codes.ramBytesUsed()) + entries.ramBytes() + deleted.ramBytesUsed()
      + graph.ramBytesUsed();
  }

  /** Bytes of its files on disk. */
  long diskBytes() {
    long bytes = 0;
    for (String f : files()) {
      bytes += dir.resolve(f).toFile().length();
    }
    return bytes;
  }

  /** Takes a reference for one search; false once the segment is closing (read the index's state again). */
  boolean acquire() {
    return refs.acquire();
  }

  void release() {
    refs.release();
  }

  /** Drops the owner's reference: the files close once no search holds the segment. */
  @Override
  public void close() {
    refs.release();
  }

  /** One thread's view of the graph (its own reader) and the batched walk over it, which closes the view. */
  private record Walker(OnDiskGraphIndex.View view, NeighbourScoring scoring) implements AutoCloseable {
    Walker(OnDiskGraphIndex.View view) {
      this(view, new NeighbourScoring(view));
    }

    @Override
    public void close() throws IOException {
      scoring.close();
    }
  }

  private void closeFiles() {
    try {
      searchers.close();
      graph.close();
      graphFile.close();
    } catch (Exception e) {
      throw new IllegalStateException("closing segment " + dir + " failed", e);
    }
  }
}
