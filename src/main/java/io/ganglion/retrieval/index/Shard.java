package io.ganglion.retrieval.index;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.analysis.Analyzer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard of a knowledge base: the Lucene keyword index and the JVector vector index of the same chunks. A
 * {@link KnowledgeBaseIndex} holds all shards of a knowledge base in one process; in a cluster each node holds the
 * shards it owns, one {@code Shard} per copy, and a search runs the same three steps on each wherever it is:
 * {@link #statistics}, then {@link #keyword} (with the statistics summed over all shards) and {@link #vector}, then
 * {@link #fetch} for the hits that survived the merge ({@link Rankings}).
 * <p>
 * The vector index is an in-heap graph for small shards, an on-disk graph (optionally walked with PQ codes) plus an
 * in-heap segment for recent vectors for large ones ({@link VectorIndexConfig}); its segment files live in the
 * shard's working directory, which is the shard's own: deleted when it is closed. The node's {@link IndexResources}
 * (settings, merge thread, build pool) are shared by all its shards.
 * <p>
 * <b>NOTE</b>: every method blocks (Lucene, graph inserts, disk) and must run on a worker thread. Searches are
 * lock-free and run concurrently from any thread. Writes, compaction and snapshots take the shard's write lock, so
 * they serialise per shard and never block searches; {@link #upsert} is visible to searches when it returns. A merge
 * of the vector index holds the lock only to start and to swap in its result: writes continue while it builds, on
 * the node's merge thread.
 */
public final class Shard implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(Shard.class);
  private static final String LUCENE = "lucene";
  private static final String VECTORS = "vectors";

  private final KeywordIndex keyword;
  private final VectorIndex vectors;
  private final IndexResources resources;
  private final Path workDir;
  /** The checksums of this shard's last snapshot (its linked segment files are not read again at the next). */
  private final SnapshotChecksums checksums = new SnapshotChecksums();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final AtomicBoolean merging = new AtomicBoolean();

  private Shard(KeywordIndex keyword, VectorIndex vectors, IndexResources resources, Path workDir) {
    this.keyword = keyword;
    this.vectors = vectors;
    this.resources = resources;
    this.workDir = workDir;
  }

  /** An empty shard with the default vector settings and a temporary working directory. */
  public static Shard create() throws IOException {
    return create(temporaryWorkDir(), IndexResources.defaults());
  }

  /** An empty shard whose vector segments live under {@code dir}. */
  public static Shard create(Path dir, IndexResources resources) throws IOException {
    Files.createDirectories(dir);
    return new Shard(KeywordIndex.create(), new VectorIndex(dir.resolve(VECTORS), resources), resources, dir);
  }

  /** {@link #rebuild(Iterable, Path, IndexResources)} with the defaults and a temporary working directory. */
  public static Shard rebuild(Iterable<ChunkRecord> records) throws IOException {
    return rebuild(records, temporaryWorkDir(), IndexResources.defaults());
  }

  /**
   * A shard holding {@code records} as they are (never re-embedded); a chunk id seen twice keeps its last version.
   * Vectors stream to a scratch file under {@code dir} and the vector index is built once at the end on the build
   * pool: an on-disk segment at {@link VectorIndexConfig#diskAbove} vectors or more, an in-heap graph below.
   *
   * @throws IllegalArgumentException when a vector is empty, zero, or of another dimension than the first
   */
  public static Shard rebuild(Iterable<ChunkRecord> records, Path dir, IndexResources resources) throws IOException {
    try (Bulk bulk = new Bulk(dir, resources)) {
      for (ChunkRecord r : records) {
        bulk.add(r);
      }
      return bulk.finish();
    } catch (IOException | RuntimeException e) {
      deleteWorkDir(dir);
      throw e;
    }
  }

  /** {@link #load(Path, Path, IndexResources)} with the defaults and a temporary working directory. */
  public static Shard load(Path snapshot) throws IOException {
    return load(snapshot, temporaryWorkDir(), IndexResources.defaults());
  }

  /**
   * The shard {@link #writeSnapshot written} under {@code snapshot}: Lucene and in-heap segments read into memory, an
   * on-disk segment's files linked (not copied) into {@code dir} and memory-mapped. The snapshot stays untouched.
   */
  public static Shard load(Path snapshot, Path dir, IndexResources resources) throws IOException {
    Files.createDirectories(dir);
    KeywordIndex keyword = null;
    try {
      keyword = KeywordIndex.load(snapshot.resolve(LUCENE));
      Shard shard = new Shard(keyword, VectorIndex.load(snapshot.resolve(VECTORS), dir.resolve(VECTORS), resources),
        resources, dir);
      shard.mergeIfNeeded();
      return shard;
    } catch (IOException | RuntimeException e) {
      if (keyword != null) {
        keyword.close();
      }
      deleteWorkDir(dir);
      throw e;
    }
  }

  /**
   * Replaces every chunk of {@code documentId} by {@code chunks} (none: deletes the document) and makes the change
   * searchable before returning. Validated before anything is written: a bad vector changes nothing.
   *
   * @throws IllegalArgumentException when a chunk belongs to another document or its vector is empty, zero, or of a
   *     dimension other than the shard's
   */
  public void upsert(String documentId, List<ChunkRecord> chunks) throws IOException {
    validate(chunks, documentId);
    replace(documentId, chunks);
    refresh();
  }

  /** BM25 statistics of the query's terms in this shard (to be summed over all shards). */
  public CorpusStatistics statistics(ShardQuery query) throws IOException {
    return keyword.statistics(query.luceneQuery());
  }

  /** The best {@code keywordCandidates} chunks for the query's keywords, scored with {@code global} statistics when given. */
  public List<ScoredChunk> keyword(ShardQuery query, CorpusStatistics global) throws IOException {
    return keyword.search(query.luceneQuery(), global, query.query().keywordCandidates(), query.query().scoring());
  }

  /** The best {@code vectorCandidates} chunks for the query's vector, the filters applied inside the candidate search. */
  public List<ScoredChunk> vector(ShardQuery query) {
    int candidates = query.query().vectorCandidates();
    return vectors.search(query.query().vector(), candidates, candidates, query.query().filters());
  }

  /** The stored fields of those chunks that are still live, by chunk id. */
  public Map<String, StoredChunk> fetch(Collection<String> chunkIds) throws IOException {
    return keyword.fetch(chunkIds);
  }

  /** Live chunks, deleted vectors not yet compacted away, and the vector dimension (0 while empty). */
  public IndexStats stats() throws IOException {
    return new IndexStats(1, chunks(), deletedVectors(), dimension());
  }

  void validate(List<ChunkRecord> chunks, String documentId) {
    validate(chunks, documentId, dimension());
  }

  /**
   * Checks chunks before anything is written: each belongs to {@code documentId} (when given), and its vector is
   * usable and of the index's {@code dimension} (0: fixed by the first chunk).
   */
  static void validate(List<ChunkRecord> chunks, String documentId, int indexDimension) {
    int dimension = indexDimension;
    for (ChunkRecord c : chunks) {
      if (documentId != null && !documentId.equals(c.documentId())) {
        throw new IllegalArgumentException("chunk " + c.chunkId() + " belongs to " + c.documentId() + ", not " + documentId);
      }
      dimension = checkVector(c, dimension);
    }
  }

  /**
   * Checks the chunk's vector (non-empty, finite, non-zero, of the knowledge base's {@code dimension}, 0 while none is
   * known) and returns the dimension. The one check of upserts and rebuilds alike.
   */
  static int checkVector(ChunkRecord c, int dimension) {
    VectorIndex.unit(c.vector()); // throws on empty, zero or non-finite vectors
    return checkDimension(c, dimension);
  }

  private static int checkDimension(ChunkRecord c, int dimension) {
    if (dimension != 0 && c.vector().length != dimension) {
      throw new IllegalArgumentException("chunk " + c.chunkId() + " has a " + c.vector().length
        + "-dimension vector; this knowledge base holds " + dimension);
    }
    return c.vector().length;
  }

  Analyzer analyzer() {
    return keyword.analyzer();
  }

  /** Replaces every chunk of a document (none: deletes it). */
  void replace(String documentId, List<ChunkRecord> chunks) throws IOException {
    writeLock.lock();
    try {
      keyword.replace(documentId, chunks);
      vectors.deleteDocument(documentId);
      for (ChunkRecord c : chunks) {
        vectors.add(c);
      }
    } finally {
      writeLock.unlock();
    }
    mergeIfNeeded();
  }

  /** Adds chunks without looking for earlier versions of their documents. */
  void append(List<ChunkRecord> chunks) throws IOException {
    writeLock.lock();
    try {
      for (ChunkRecord c : chunks) {
        keyword.add(c);
        vectors.add(c);
      }
    } finally {
      writeLock.unlock();
    }
    mergeIfNeeded();
  }

  void refresh() throws IOException {
    keyword.refresh();
  }

  int dimension() {
    return vectors.dimension();
  }

  int chunks() throws IOException {
    return keyword.size();
  }

  int deletedVectors() {
    return vectors.deleted();
  }

  /** What the vector index holds and where (heap, disk); cheap enough for a metrics scrape. */
  public VectorIndexStats vectorStats() {
    return vectors.stats();
  }

  /** The vector index itself, for tests of its segments. */
  VectorIndex vectors() {
    return vectors;
  }

  /** Hands a merge to the node's merge thread when the in-heap segment has grown past its threshold. */
  void mergeIfNeeded() {
    if (vectors.needsMerge() && merging.compareAndSet(false, true)) {
      try {
        resources.merges().execute(() -> {
          try {
            merge(false);
          } catch (IOException | RuntimeException e) {
            LOG.warn("vector merge failed; its input stays searchable and is merged again later: {}", e.toString());
          } finally {
            merging.set(false);
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        merging.set(false); // shutting down
      }
    }
  }

  /** Runs a due merge on the calling thread, unless one is running in the background; returns whether one ran. */
  boolean mergeNowIfNeeded() throws IOException {
    if (!vectors.needsMerge() || !merging.compareAndSet(false, true)) {
      return false;
    }
    try {
      return merge(false);
    } finally {
      merging.set(false);
    }
  }

  /**
   * Merges the vector index now, on the calling thread: freezes the in-heap segment under the write lock, builds
   * without it, swaps the result in under it. Returns whether anything was merged.
   */
  boolean merge(boolean force) throws IOException {
    VectorIndex.Merge merge;
    writeLock.lock();
    try {
      merge = vectors.beginMerge(force);
    } finally {
      writeLock.unlock();
    }
    if (merge == null) {
      return false;
    }
    try {
      merge.build();
    } catch (IOException | RuntimeException e) {
      vectors.discard(merge);
      throw e;
    }
    writeLock.lock();
    try {
      vectors.finishMerge(merge);
    } finally {
      writeLock.unlock();
    }
    return true;
  }

  /**
   * Drops deleted vectors (a merge: a large shard's on-disk graph is rebuilt, writes continue meanwhile) and merges
   * away deleted Lucene documents. Slow.
   */
  public void compact() throws IOException {
    // a merge running in the background drops the deleted vectors itself
    if (merging.compareAndSet(false, true)) {
      try {
        merge(true);
      } finally {
        merging.set(false);
      }
    }
    writeLock.lock();
    try {
      keyword.compact();
    } finally {
      writeLock.unlock();
    }
  }

  /** Writes the shard's files under {@code dir} (Lucene files and the JVector graph, vectors and id maps). */
  public void writeSnapshot(Path dir) throws IOException {
    writeLock.lock();
    try {
      Files.createDirectories(dir.resolve(LUCENE));
      keyword.writeSnapshot(dir.resolve(LUCENE));
      vectors.writeSnapshot(dir.resolve(VECTORS));
    } finally {
      writeLock.unlock();
    }
  }

  /** The checksums of this shard's last snapshot, for {@link SnapshotDirectory#write}. */
  public SnapshotChecksums snapshotChecksums() {
    return checksums;
  }

  /** Releases the shard's memory and deletes its working directory. The shard is unusable afterwards. */
  @Override
  public void close() throws IOException {
    writeLock.lock();
    try (vectors) {
      keyword.close();
    } finally {
      writeLock.unlock();
      deleteWorkDir(workDir);
    }
  }

  private static Path temporaryWorkDir() throws IOException {
    return Files.createTempDirectory("ganglion-shard-");
  }

  private static void deleteWorkDir(Path dir) {
    try {
      SnapshotDirectory.deleteTree(dir);
    } catch (IOException e) {
      LOG.warn("could not delete the shard working directory {}: {}", dir, e.toString());
    }
  }

  /**
   * The rebuild path: chunks streamed in once, their vectors to a scratch file rather than the heap, the vector index
   * built at the end in one parallel pass (an on-disk segment at {@link VectorIndexConfig#diskAbove} vectors or more).
   * A chunk id seen twice keeps its last version. Single-threaded.
   */
  static final class Bulk implements Closeable {
    private final Path dir;
    private final IndexResources resources;
    private final KeywordIndex keyword;
    private final List<VectorEntry> entries = new ArrayList<>();
    private final Map<String, Integer> positions = new HashMap<>();
    private boolean[] superseded = new boolean[1024];
    private VectorFile file;
    private int dimension;
    private boolean finished;

    Bulk(Path dir, IndexResources resources) throws IOException {
      this.dir = dir;
      this.resources = resources;
      this.keyword = KeywordIndex.create();
    }

    void add(ChunkRecord c) throws IOException {
      var unit = VectorIndex.unit(c.vector()); // throws on empty, zero or non-finite vectors
      dimension = checkDimension(c, dimension);
      if (file == null) {
        Files.createDirectories(dir.resolve(VECTORS));
        file = new VectorFile(dir.resolve(VECTORS).resolve("rebuild.f32"), dimension);
      }
      keyword.add(c);
      int position = entries.size();
      Integer earlier = positions.put(c.chunkId(), position);
      if (position == superseded.length) {
        superseded = java.util.Arrays.copyOf(superseded, position * 2);
      }
      if (earlier != null) {
        superseded[earlier] = true;
      }
      entries.add(new VectorEntry(c.chunkId(), c.documentId(), c.metadata()));
      file.append(unit);
    }

    Shard finish() throws IOException {
      VectorIndex index;
      if (file == null) {
        index = new VectorIndex(dir.resolve(VECTORS), resources);
      } else {
        try {
          index = VectorIndex.bulk(dir.resolve(VECTORS), resources, file, entries, superseded);
        } finally {
          file.close();
          file = null;
        }
      }
      try {
        keyword.refresh();
      } catch (IOException | RuntimeException e) {
        index.close();
        throw e;
      }
      finished = true;
      return new Shard(keyword, index, resources, dir);
    }

    /** Abandons the load (a failed rebuild): the scratch file and the keyword index are released. */
    @Override
    public void close() throws IOException {
      if (file != null) {
        file.close();
      }
      if (!finished) {
        keyword.close();
      }
    }
  }
}
