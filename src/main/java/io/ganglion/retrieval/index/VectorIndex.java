package io.ganglion.retrieval.index;

import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One shard's vector index: at most one immutable {@link DiskSegment} (a large shard's vectors, PQ-walked on disk)
 * and in-heap {@link VectorGraph} segments: {@code live} takes every new vector; {@code frozen} is the former live
 * segment while a merge folds it (with the disk segment) into a new disk segment. Searches query every segment and
 * keep the best; deletes mark every segment and are honoured at query time, and a merge drops them. A shard below
 * {@link VectorIndexConfig#diskAbove} vectors is only a live segment, as before.
 * <p>
 * Vectors are normalised to unit length on the way in; their dimension is fixed by the first one.
 * <p>
 * <b>NOTE</b>: searches read the current {@link Segments} without locking, holding a reference on each segment they
 * read so a merge can retire it under them. Writes, {@link #beginMerge}, {@link #finishMerge}, compaction and
 * {@link #writeSnapshot} must be serialised by the caller (the shard's write lock); {@link Merge#build} runs without
 * it, so writes continue during the minutes a large merge takes.
 */
final class VectorIndex implements Closeable {

  private static final VectorTypeSupport TYPES = JVectorTypes.TYPES;
  private static final int MAGIC = 0x47564958; // "GVIX"
  /** Version 2: a disk segment (links to its files, deletions) and up to two in-heap segments; version 1 had one. */
  static final int VERSION = 2;
  private static final String MANIFEST = "segments.bin";

  /** The segments searched, replaced whole (copy on write). */
  record Segments(DiskSegment base, VectorGraph frozen, VectorGraph live) {
    static final Segments EMPTY = new Segments(null, null, null);

    int dimension() {
      return base != null ? base.dimension() : live != null ? live.dimension() : frozen != null ? frozen.dimension() : 0;
    }
  }

  private final Path dir;
  private final IndexResources resources;
  private final AtomicInteger generation = new AtomicInteger();
  private volatile Segments segments = Segments.EMPTY;
  private volatile boolean closed;
  private volatile long merges;
  private volatile long lastMergeMillis = -1;

  VectorIndex(Path dir, IndexResources resources) {
    this.dir = dir;
    this.resources = resources;
  }

  VectorIndexConfig config() {
    return resources.config();
  }

  void add(ChunkRecord chunk) {
    VectorFloat<?> unit = unit(chunk.vector());
    Segments s = segments;
    int dimension = s.dimension();
    if (dimension != 0 && dimension != unit.length()) {
      throw new IllegalArgumentException(
        "chunk " + chunk.chunkId() + " has a " + unit.length() + "-dimension vector; this index holds " + dimension);
    }
    if (s.live == null) {
      s = segments = new Segments(s.base, s.frozen, new VectorGraph(unit.length()));
    }
    // a chunk id lives in one segment: an older version elsewhere is deleted first
    if (s.base != null) {
      s.base.delete(chunk.chunkId());
    }
    if (s.frozen != null) {
      s.frozen.delete(chunk.chunkId());
    }
    s.live.add(new VectorEntry(chunk.chunkId(), chunk.documentId(), chunk.metadata()), unit);
  }

  void delete(String chunkId) {
    Segments s = segments;
    if (s.base != null) {
      s.base.delete(chunkId);
    }
    if (s.frozen != null) {
      s.frozen.delete(chunkId);
    }
    if (s.live != null) {
      s.live.delete(chunkId);
    }
  }

  void deleteDocument(String documentId) {
    Segments s = segments;
    if (s.base != null) {
      s.base.deleteDocument(documentId);
    }
    if (s.frozen != null) {
      s.frozen.deleteDocument(documentId);
    }
    if (s.live != null) {
      s.live.deleteDocument(documentId);
    }
  }

  /**
   * The best {@code k} live chunks passing {@code filters}, as cosine similarities, each segment walked with a beam of
   * {@code max(k, beam)} candidates.
   */
  List<ScoredChunk> search(float[] query, int k, int beam, Map<String, String> filters) {
    Segments s = acquire();
    try {
      int dimension = s.dimension();
      if (dimension == 0) {
        return List.of();
      }
      if (query.length != dimension) {
        throw new IllegalArgumentException(
          "the query vector has " + query.length + " dimensions; this index holds " + dimension);
      }
      VectorFloat<?> unit = unit(query);
      int width = Math.max(beam, config().beamFor(k, false, 0)); // in-heap segments: the hits asked for
      List<ScoredChunk> all = new ArrayList<>();
      if (s.base != null) {
        all.addAll(s.base.search(unit, k, Math.max(beam, config().beamFor(k, s.base.quantized(), s.base.size())),
          filters));
      }
      if (s.frozen != null) {
        all.addAll(s.frozen.search(unit, k, width, filters));
      }
      if (s.live != null) {
        all.addAll(s.live.search(unit, k, width, filters));
      }
      if (s.base == null && s.frozen == null) {
        return all;
      }
      all.sort(Comparator.comparingDouble(ScoredChunk::score).reversed());
      return all.size() > k ? List.copyOf(all.subList(0, k)) : all;
    } finally {
      release(s);
    }
  }

  /** The current segments with a reference held on each; retried when a merge retired one meanwhile. */
  private Segments acquire() {
    while (true) {
      Segments s = segments;
      if (s.base != null && !s.base.acquire()) {
        continue;
      }
      if (s.frozen != null && !s.frozen.acquire()) {
        release(new Segments(s.base, null, null));
        continue;
      }
      if (s.live != null && !s.live.acquire()) {
        release(new Segments(s.base, s.frozen, null));
        continue;
      }
      return s;
    }
  }

  private static void release(Segments s) {
    if (s.base != null) {
      s.base.release();
    }
    if (s.frozen != null) {
      s.frozen.release();
    }
    if (s.live != null) {
      s.live.release();
    }
  }

  int dimension() {
    return segments.dimension();
  }

  /** The segments searched now. */
  Segments segments() {
    return segments;
  }

  int live() {
    Segments s = segments;
    return (s.base == null ? 0 : s.base.live()) + (s.frozen == null ? 0 : s.frozen.live())
      + (s.live == null ? 0 : s.live.live());
  }

  int deleted() {
    Segments s = segments;
    return (s.base == null ? 0 : s.base.size() - s.base.live())
      + (s.frozen == null ? 0 : s.frozen.ordinals() - s.frozen.live())
      + (s.live == null ? 0 : s.live.ordinals() - s.live.live());
  }

  /** What this index holds and where, for metrics and capacity checks. Cheap: no locks, no scans. */
  VectorIndexStats stats() {
    Segments s = segments;
    long heap = (s.base == null ? 0 : s.base.heapBytes()) + (s.frozen == null ? 0 : s.frozen.heapBytes())
      + (s.live == null ? 0 : s.live.heapBytes());
    long disk = s.base == null ? 0 : s.base.diskBytes();
    VectorIndexStats.Kind kind = s.base == null
      ? s.live != null && s.live.coded() ? VectorIndexStats.Kind.HEAP_SQ8 : VectorIndexStats.Kind.HEAP
      : s.base.quantized() ? VectorIndexStats.Kind.DISK_PQ : VectorIndexStats.Kind.DISK;
    return new VectorIndexStats(kind, live(),
      deleted(), s.base == null ? 0 : s.base.live(), heap, disk, merges, lastMergeMillis);
  }

  /** Whether the in-heap segment grew enough to merge into a disk segment (and no merge is running). */
  boolean needsMerge() {
    Segments s = segments;
    if (s.frozen != null) {
      return true; // a merge that failed, or was snapshotted mid-way, left its input: run it again
    }
    if (s.live == null) {
      return false;
    }
    if (s.base == null) {
      return s.live.live() >= config().diskAbove();
    }
    return s.live.ordinals() >= config().mergeAfter(s.base.size());
  }

  /**
   * Freezes the live segment (a fresh one takes new writes) and returns the merge of it with the disk segment, or
   * {@code null} when there is nothing to merge. Caller holds the write lock, and runs one merge at a time.
   *
   * @param force merge even below the thresholds (compaction): drops every deleted vector
   */
  Merge beginMerge(boolean force) {
    Segments s = segments;
    if (closed || (!force && !needsMerge())) {
      return null;
    }
    if (s.frozen == null) {
      if (s.live == null && (s.base == null || s.base.live() == s.base.size())) {
        return null;
      }
      s = segments = new Segments(s.base, s.live, s.live == null ? null : new VectorGraph(s.live.dimension()));
    }
    int live = (s.base == null ? 0 : s.base.live()) + (s.frozen == null ? 0 : s.frozen.live());
    if (s.base == null && live < config().diskAbove()) {
      // below the disk threshold a compaction rebuilds the in-heap segment instead
      return new Merge(s.base, s.frozen, false);
    }
    return new Merge(s.base, s.frozen, true);
  }

  /**
   * A merge of a disk segment (or none) and a frozen in-heap segment (or none) into one segment without their
   * deleted vectors: a disk segment when {@code toDisk}, else an in-heap one. {@link #build} runs without locks.
   */
  final class Merge {
    private final DiskSegment base;
    private final VectorGraph frozen;
    private final boolean toDisk;
    private int[] fromBase = new int[0];
    private int[] fromFrozen = new int[0];
    /** For each ordinal of the result: its position in the concatenation (base survivors, frozen survivors). */
    private int[] origin;
    private Object result;
    private long started;

    private Merge(DiskSegment base, VectorGraph frozen, boolean toDisk) {
      this.base = base;
      this.frozen = frozen;
      this.toDisk = toDisk;
    }

    /** Copies the survivors out and builds the new segment: minutes for a million vectors. */
    void build() throws IOException {
      started = System.nanoTime();
      Files.createDirectories(dir);
      int dimension = base != null ? base.dimension() : frozen.dimension();
      Path scratch = dir.resolve("merge-" + generation.incrementAndGet() + ".f32");
      List<VectorEntry> entries = new ArrayList<>();
      try (VectorFile file = new VectorFile(scratch, dimension)) {
        // extending base's graph keeps its edges; once half of it is deleted, a new graph is the better one
        if (toDisk && base != null && base.live() >= base.size() / 2) {
          extendBase(file);
          return;
        }
        if (base != null) {
          fromBase = base.copyLive(file, entries);
        }
        if (frozen != null) {
          fromFrozen = frozen.copyLive(file, entries);
        }
        RandomAccessVectorValues copied = file.values();
        if (!ordered(entries)) {
          return;
        }
        List<VectorEntry> sorted = inOrigin(entries);
        RandomAccessVectorValues inOrder = new Remapped(copied, origin);
        if (toDisk) {
          result = DiskSegment.build(dir.resolve("segment-" + generation.incrementAndGet()), inOrder, sorted,
            config(), resources.builds());
        } else {
          List<VectorFloat<?>> vectors = new ArrayList<>(origin.length);
          for (int i = 0; i < origin.length; i++) {
            vectors.add(inOrder.getVector(i));
          }
          result = VectorGraph.bulk(dimension, sorted, vectors, resources.builds());
        }
      }
    }

    /**
     * The merge into a disk segment: base's graph extended with the frozen segment's survivors
     * ({@link DiskSegment#extend}) rather than a graph built over all of them again. {@code file} holds base's
     * vectors by ordinal, deleted ones too (the extension removes them through JVector, which reconnects their
     * neighbours), then the frozen survivors.
     */
    private void extendBase(VectorFile file) throws IOException {
      fromBase = base.copyAll(file);
      List<VectorEntry> entries = new ArrayList<>();
      for (int o : fromBase) {
        entries.add(base.entry(o));
      }
      if (frozen != null) {
        fromFrozen = frozen.copyLive(file, entries);
      }
      RandomAccessVectorValues copied = file.values();
      if (!ordered(entries)) {
        return;
      }
      int live = origin.length;
      int[] graphIdOfBase = new int[base.size()];
      Arrays.fill(graphIdOfBase, -1);
      // graph id -> position in the file: the result's ordinals first, then base's deleted vectors
      int[] position = new int[base.size() + fromFrozen.length];
      int[] added = new int[fromFrozen.length];
      int a = 0;
      for (int i = 0; i < live; i++) {
        int p = origin[i];
        if (p < fromBase.length) {
          graphIdOfBase[fromBase[p]] = i;
          position[i] = fromBase[p];
        } else {
          position[i] = base.size() + p - fromBase.length;
          added[a++] = i;
        }
      }
      int id = live;
      for (int o = 0; o < base.size(); o++) {
        if (graphIdOfBase[o] < 0) {
          graphIdOfBase[o] = id;
          position[id++] = o;
        }
      }
      List<VectorEntry> sorted = inOrigin(entries);
      result = DiskSegment.extend(dir.resolve("segment-" + generation.incrementAndGet()), base,
        new Remapped(copied, Arrays.copyOf(position, id)), graphIdOfBase, added, sorted, config(),
        resources.builds());
    }

    /** Orders the copied entries by document into {@code origin}; false (and no result) when none survived. */
    private boolean ordered(List<VectorEntry> entries) {
      if (entries.isEmpty()) {
        origin = new int[0];
        result = null;
        return false;
      }
      origin = documentOrder(entries);
      return true;
    }

    /** The entries in {@code origin}'s order: the new segment's ordinals. */
    private List<VectorEntry> inOrigin(List<VectorEntry> entries) {
      List<VectorEntry> sorted = new ArrayList<>(origin.length);
      for (int o : origin) {
        sorted.add(entries.get(o));
      }
      return sorted;
    }

    private boolean deletedSince(int position) {
      return position < fromBase.length ? base.isDeleted(fromBase[position])
        : frozen.isDeleted(fromFrozen[position - fromBase.length]);
    }
  }

  /**
   * The positions of {@code entries} sorted by document id, then chunk id: disk segments group ordinals by document,
   * so that a document is a range of ordinals.
   */
  private static int[] documentOrder(List<VectorEntry> entries) {
    Integer[] order = new Integer[entries.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparing((Integer i) -> entries.get(i).documentId())
      .thenComparing(i -> entries.get(i).chunkId()));
    return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
  }

  /**
   * Swaps the merged segment in: deletions made while it was built are applied to it, and the segments it replaces
   * close once their last search is done. Caller holds the write lock.
   */
  void finishMerge(Merge merge) {
    Segments s = segments;
    if (closed) {
      discard(merge);
      return;
    }
    DiskSegment base = null;
    VectorGraph heap = null;
    if (merge.result instanceof DiskSegment d) {
      base = d;
      for (int i = 0; i < merge.origin.length; i++) {
        if (merge.deletedSince(merge.origin[i])) {
          d.markDeleted(i);
        }
      }
    } else if (merge.result instanceof VectorGraph g) {
      heap = g;
      for (int i = 0; i < merge.origin.length; i++) {
        if (merge.deletedSince(merge.origin[i])) {
          g.delete(g.entry(i).chunkId());
        }
      }
    }
    VectorGraph live = s.live;
    if (heap != null) {
      // an in-heap result (compaction below the disk threshold) absorbs what arrived meanwhile
      if (live != null) {
        for (int o = 0; o < live.ordinals(); o++) {
          if (!live.isDeleted(o)) {
            heap.add(live.entry(o), live.vector(o));
          }
        }
        live.close();
      }
      live = heap;
    }
    segments = new Segments(base, null, live);
    if (merge.base != null) {
      merge.base.close();
    }
    if (merge.frozen != null) {
      merge.frozen.close();
    }
    merges++;
    lastMergeMillis = (System.nanoTime() - merge.started) / 1_000_000;
  }

  /** Drops a merge that failed or outlived its index; its input stays searchable and is merged again later. */
  void discard(Merge merge) {
    if (merge.result instanceof DiskSegment d) {
      d.close();
      deleteTree(d.dir());
    } else if (merge.result instanceof VectorGraph g) {
      g.close();
    }
  }

  /**
   * Writes the segments under {@code snapshot}: the disk segment's files as hard links (they are immutable; a copy
   * where links are not possible) with its deletions, and each in-heap segment in {@link VectorSnapshot}'s form.
   * Caller holds the write lock.
   */
  void writeSnapshot(Path snapshot) throws IOException {
    Files.createDirectories(snapshot);
    Segments s = segments;
    if (s.base != null) {
      Path base = snapshot.resolve("base");
      Files.createDirectories(base);
      for (String f : s.base.files()) {
        link(s.base.dir().resolve(f), base.resolve(f));
      }
      long[] words = s.base.deletions().getBits();
      try (var out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(
             Files.newOutputStream(base.resolve("deleted.bin")), 1 << 16))) {
        out.writeInt(s.base.size());
        out.writeInt(words.length);
        for (long w : words) {
          out.writeLong(w);
        }
      }
    }
    if (s.frozen != null) {
      VectorSnapshot.write(s.frozen, snapshot.resolve("frozen"));
    }
    if (s.live != null) {
      VectorSnapshot.write(s.live, snapshot.resolve("live"));
    }
    try (var out = new java.io.DataOutputStream(Files.newOutputStream(snapshot.resolve(MANIFEST)))) {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeBoolean(s.base != null);
      out.writeBoolean(s.frozen != null);
      out.writeBoolean(s.live != null);
    }
  }

  /** The index saved under {@code snapshot}, its disk segment linked into {@code dir}. */
  static VectorIndex load(Path snapshot, Path dir, IndexResources resources) throws IOException {
    VectorIndex index = new VectorIndex(dir, resources);
    boolean hasBase;
    boolean hasFrozen;
    boolean hasLive;
    try (var in = new java.io.DataInputStream(Files.newInputStream(snapshot.resolve(MANIFEST)))) {
      if (in.readInt() != MAGIC || in.readInt() != VERSION) {
        throw new IOException("not a vector index snapshot (or an older layout): " + snapshot);
      }
      hasBase = in.readBoolean();
      hasFrozen = in.readBoolean();
      hasLive = in.readBoolean();
    }
    DiskSegment base = null;
    VectorGraph frozen = null;
    VectorGraph live = null;
    try {
      if (hasBase) {
        Path segment = dir.resolve("segment-" + index.generation.incrementAndGet());
        Files.createDirectories(segment);
        for (String f : List.of(DiskSegment.GRAPH, DiskSegment.CODES, DiskSegment.ENTRIES)) {
          if (Files.exists(snapshot.resolve("base").resolve(f))) {
            link(snapshot.resolve("base").resolve(f), segment.resolve(f));
          }
        }
        base = DiskSegment.open(segment);
        try (var in = new java.io.DataInputStream(new java.io.BufferedInputStream(
               Files.newInputStream(snapshot.resolve("base").resolve("deleted.bin")), 1 << 16))) {
          int size = in.readInt();
          if (size != base.size()) {
            throw new IOException("deletions of " + size + " vectors for a segment of " + base.size());
          }
          long[] words = new long[in.readInt()];
          for (int w = 0; w < words.length; w++) {
            words[w] = in.readLong();
          }
          for (int o = 0; o < size; o++) {
            if ((words[o >> 6] & (1L << o)) != 0) {
              base.markDeleted(o);
            }
          }
        }
      }
      frozen = hasFrozen ? VectorSnapshot.read(snapshot.resolve("frozen")) : null;
      live = hasLive ? VectorSnapshot.read(snapshot.resolve("live")) : null;
    } catch (IOException | RuntimeException e) {
      if (base != null) {
        base.close();
      }
      throw e;
    }
    index.segments = new Segments(base, frozen, live);
    return index;
  }

  /** Builds the index of a shard from the vectors of a rebuild, in {@code file} with their {@code entries}. */
  static VectorIndex bulk(Path dir, IndexResources resources, VectorFile file, List<VectorEntry> entries,
                          boolean[] superseded) throws IOException {
    VectorIndex index = new VectorIndex(dir, resources);
    if (file.size() == 0) {
      return index;
    }
    RandomAccessVectorValues values = file.values();
    List<Integer> keep = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      if (!superseded[i]) {
        keep.add(i);
      }
    }
    if (keep.size() >= resources.config().diskAbove()) {
      keep.sort(Comparator.comparing((Integer i) -> entries.get(i).documentId())
        .thenComparing(i -> entries.get(i).chunkId()));
      int[] order = keep.stream().mapToInt(Integer::intValue).toArray();
      List<VectorEntry> sorted = new ArrayList<>(order.length);
      for (int o : order) {
        sorted.add(entries.get(o));
      }
      DiskSegment base = DiskSegment.build(dir.resolve("segment-" + index.generation.incrementAndGet()),
        new Remapped(values, order), sorted, resources.config(), resources.builds());
      index.segments = new Segments(base, null, null);
    } else {
      List<VectorEntry> kept = new ArrayList<>(keep.size());
      List<VectorFloat<?>> vectors = new ArrayList<>(keep.size());
      for (int i : keep) {
        kept.add(entries.get(i));
        vectors.add(values.getVector(i));
      }
      index.segments = new Segments(null, null,
        VectorGraph.bulk(values.dimension(), kept, vectors, resources.builds()));
    }
    return index;
  }

  @Override
  public void close() {
    closed = true;
    Segments s = segments;
    segments = Segments.EMPTY;
    if (s.base != null) {
      s.base.close();
    }
    if (s.frozen != null) {
      s.frozen.close();
    }
    if (s.live != null) {
      s.live.close();
    }
  }

  /** The vector scaled to unit length, as JVector's type. */
  static VectorFloat<?> unit(float[] vector) {
    double norm = 0;
    for (float v : vector) {
      norm += (double) v * v;
    }
    if (vector.length == 0 || !(norm > 0) || Double.isInfinite(norm)) {
      throw new IllegalArgumentException("a vector must be non-empty, finite and non-zero");
    }
    float[] unit = new float[vector.length];
    float scale = (float) (1.0 / Math.sqrt(norm));
    for (int i = 0; i < unit.length; i++) {
      unit[i] = vector[i] * scale;
    }
    return TYPES.createFloatVector(unit);
  }

  private static void link(Path from, Path to) throws IOException {
    Files.deleteIfExists(to);
    try {
      Files.createLink(to, from);
    } catch (IOException | UnsupportedOperationException e) {
      // no hard links here (another file system, or one without them): the segment file is immutable, so a copy
      // serves the same, only slower and using the space twice
      Files.copy(from, to);
    }
  }

  static void deleteTree(Path root) {
    try {
      SnapshotDirectory.deleteTree(root);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Vectors of another source in a new order: ordinal {@code i} is the source's {@code order[i]}. */
  private record Remapped(RandomAccessVectorValues source, int[] order) implements RandomAccessVectorValues {
    @Override
    public int size() {
      return order.length;
    }

    @Override
    public int dimension() {
      return source.dimension();
    }

    @Override
    public VectorFloat<?> getVector(int ordinal) {
      return source.getVector(order[ordinal]);
    }

    @Override
    public boolean isValueShared() {
      return source.isValueShared();
    }

    @Override
    public RandomAccessVectorValues copy() {
      return this;
    }
  }
}
