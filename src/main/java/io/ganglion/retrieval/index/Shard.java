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
import org.apache.lucene.search.Query;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard of a knowledge base: the Lucene keyword index and the vector index of the same chunks.
 * <p>
 * <b>NOTE</b>: searches are lock-free and run concurrently from any pool thread. Writes, compaction and snapshots
 * take the shard's write lock, so they serialise per shard and never block searches; a write is visible to keyword
 * search after {@link #refresh()} and to vector search at once. A merge of the vector index holds the lock only to
 * start and to swap in its result: writes continue while it builds, on the node's merge thread.
 */
final class Shard implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(Shard.class);
  private static final String LUCENE = "lucene";
  private static final String VECTORS = "vectors";

  private final KeywordIndex keyword;
  private final VectorIndex vectors;
  private final IndexResources resources;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final AtomicBoolean merging = new AtomicBoolean();

  private Shard(KeywordIndex keyword, VectorIndex vectors, IndexResources resources) {
    this.keyword = keyword;
    this.vectors = vectors;
    this.resources = resources;
  }

  /** An empty shard whose vector segments live under {@code dir}. */
  static Shard create(Path dir, IndexResources resources) throws IOException {
    return new Shard(KeywordIndex.create(), new VectorIndex(dir.resolve(VECTORS), resources), resources);
  }

  /** The shard saved under {@code snapshot}, its vector segments linked into {@code dir}. */
  static Shard load(Path snapshot, Path dir, IndexResources resources) throws IOException {
    KeywordIndex keyword = KeywordIndex.load(snapshot.resolve(LUCENE));
    try {
      Shard shard = new Shard(keyword, VectorIndex.load(snapshot.resolve(VECTORS), dir.resolve(VECTORS), resources),
        resources);
      shard.mergeIfNeeded();
      return shard;
    } catch (IOException | RuntimeException e) {
      keyword.close();
      throw e;
    }
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

  CorpusStatistics statistics(Query query) throws IOException {
    return keyword.statistics(query);
  }

  List<ScoredChunk> keywordSearch(Query query, CorpusStatistics global, int n) throws IOException {
    return keyword.search(query, global, n);
  }

  List<ScoredChunk> vectorSearch(float[] query, int n, Map<String, String> filters) {
    return vectors.search(query, n, n, filters);
  }

  Map<String, StoredChunk> fetch(Collection<String> chunkIds) throws IOException {
    return keyword.fetch(chunkIds);
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

  VectorIndexStats vectorStats() {
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

  /** Drops deleted vectors (a merge) and merges away deleted Lucene documents. */
  void compact() throws IOException {
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

  void writeSnapshot(Path dir) throws IOException {
    writeLock.lock();
    try {
      Files.createDirectories(dir.resolve(LUCENE));
      keyword.writeSnapshot(dir.resolve(LUCENE));
      vectors.writeSnapshot(dir.resolve(VECTORS));
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public void close() throws IOException {
    writeLock.lock();
    try (vectors) {
      keyword.close();
    } finally {
      writeLock.unlock();
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
      var unit = VectorIndex.unit(c.vector());
      if (file == null) {
        Files.createDirectories(dir.resolve(VECTORS));
        dimension = unit.length();
        file = new VectorFile(dir.resolve(VECTORS).resolve("rebuild.f32"), dimension);
      } else if (unit.length() != dimension) {
        throw new IllegalArgumentException("chunk " + c.chunkId() + " has a " + unit.length()
          + "-dimension vector; this index holds " + dimension);
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
      finished = true;
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
      keyword.refresh();
      return new Shard(keyword, index, resources);
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
