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
import org.apache.lucene.search.Query;

/**
 * One shard of a knowledge base: the Lucene keyword index and the JVector vector index of the same chunks.
 * <p>
 * <b>NOTE</b>: searches are lock-free and run concurrently from any pool thread. Writes, compaction and snapshots
 * take the shard's write lock, so they serialise per shard and never block searches; a write is visible to keyword
 * search after {@link #refresh()} and to vector search at once.
 */
final class Shard implements Closeable {

  private static final String LUCENE = "lucene";
  private static final String VECTORS = "vectors";

  private final KeywordIndex keyword;
  private final VectorIndex vectors;
  private final ReentrantLock writeLock = new ReentrantLock();

  private Shard(KeywordIndex keyword, VectorIndex vectors) {
    this.keyword = keyword;
    this.vectors = vectors;
  }

  static Shard create() throws IOException {
    return new Shard(KeywordIndex.create(), new VectorIndex());
  }

  static Shard load(Path dir) throws IOException {
    return new Shard(KeywordIndex.load(dir.resolve(LUCENE)), VectorIndex.load(dir.resolve(VECTORS)));
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

  CorpusStatistics statistics(Query query) throws IOException {
    return keyword.statistics(query);
  }

  List<ScoredChunk> keywordSearch(Query query, CorpusStatistics global, int n) throws IOException {
    return keyword.search(query, global, n);
  }

  List<ScoredChunk> vectorSearch(float[] query, int n, Map<String, String> filters) {
    return vectors.search(query, n, filters);
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

  void compact() throws IOException {
    writeLock.lock();
    try {
      vectors.compact();
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
}
