package io.ganglion.retrieval.index;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.analysis.Analyzer;

/**
 * One shard of a knowledge base: the Lucene keyword index and the JVector vector index of the same chunks. A
 * {@link KnowledgeBaseIndex} holds all shards of a knowledge base in one process; in a cluster each node holds the
 * shards it owns, one {@code Shard} per copy, and a search runs the same three steps on each wherever it is:
 * {@link #statistics}, then {@link #keyword} (with the statistics summed over all shards) and {@link #vector}, then
 * {@link #fetch} for the hits that survived the merge ({@link Rankings}).
 * <p>
 * <b>NOTE</b>: every method blocks (Lucene, graph inserts, disk) and must run on a worker thread. Searches are
 * lock-free and run concurrently from any thread. Writes, compaction and snapshots take the shard's write lock, so
 * they serialise per shard and never block searches; {@link #upsert} is visible to searches when it returns.
 */
public final class Shard implements Closeable {

  private static final String LUCENE = "lucene";
  private static final String VECTORS = "vectors";

  private final KeywordIndex keyword;
  private final VectorIndex vectors;
  private final ReentrantLock writeLock = new ReentrantLock();

  private Shard(KeywordIndex keyword, VectorIndex vectors) {
    this.keyword = keyword;
    this.vectors = vectors;
  }

  /** An empty shard in memory. */
  public static Shard create() throws IOException {
    return new Shard(KeywordIndex.create(), new VectorIndex());
  }

  /** A shard holding {@code records} as they are (never re-embedded); a chunk id seen twice is kept twice. */
  public static Shard rebuild(Iterable<ChunkRecord> records) throws IOException {
    Shard shard = create();
    List<ChunkRecord> batch = new java.util.ArrayList<>(1024);
    for (ChunkRecord r : records) {
      batch.add(r);
      if (batch.size() == 1024) {
        shard.validate(batch, null);
        shard.append(batch);
        batch.clear();
      }
    }
    shard.validate(batch, null);
    shard.append(batch);
    shard.refresh();
    return shard;
  }

  /** An in-memory copy of a shard {@link #writeSnapshot written} under {@code dir}; the snapshot stays untouched. */
  public static Shard load(Path dir) throws IOException {
    return new Shard(KeywordIndex.load(dir.resolve(LUCENE)), VectorIndex.load(dir.resolve(VECTORS)));
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
    return vectors.search(query.query().vector(), query.query().vectorCandidates(), query.query().filters());
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
      VectorIndex.unit(c.vector()); // throws on empty, zero or non-finite vectors
      if (dimension == 0) {
        dimension = c.vector().length;
      } else if (c.vector().length != dimension) {
        throw new IllegalArgumentException("chunk " + c.chunkId() + " has a " + c.vector().length
          + "-dimension vector; this knowledge base holds " + dimension);
      }
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
  }

  /** Adds chunks without looking for earlier versions: the rebuild path, from an empty shard. */
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

  /** Rebuilds the graph without its deleted vectors and merges away deleted Lucene documents. Slow. */
  public void compact() throws IOException {
    writeLock.lock();
    try {
      vectors.compact();
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

  @Override
  public void close() throws IOException {
    writeLock.lock();
    try (vectors) {
      keyword.close();
    } finally {
      writeLock.unlock();
    }
  }
}
