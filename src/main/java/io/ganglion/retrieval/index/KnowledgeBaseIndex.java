package io.ganglion.retrieval.index;

import io.vertx.core.json.JsonObject;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The search index of one knowledge base: its chunks split over shards by document id ({@link ShardRouter}), each
 * shard a Lucene BM25 index plus a JVector graph. Derived data: PostgreSQL holds the chunks and their embeddings, this
 * index is {@link #rebuild rebuilt} from them or {@link #load loaded} from a {@link #snapshot}.
 * <p>
 * <b>NOTE</b> on threads: every method except {@link #search} blocks (disk, Lucene merges, graph inserts) and must
 * run on the retrieval worker pool, never on an event loop. {@link #search} returns at once and runs on the executor
 * it is given; its future completes on one of that executor's threads. That executor should be a fixed pool of
 * platform threads: each thread keeps one JVector searcher per shard. Writes to different shards run in parallel,
 * writes to one shard serialise, and no write blocks a search.
 */
public final class KnowledgeBaseIndex implements Closeable {

  static final String MANIFEST = "manifest.json";
  /**
   * 2: the manifest lists every file with its size and checksum. 4: the heading field and document-id doc values of
   * the keyword index; an older snapshot lacks them, so it is rebuilt. (3 is taken by the vectors branch's segment
   * layout, which this one does not have: a build holding both must write a number above both.)
   */
  static final int FORMAT = 4;

  private final List<Shard> shards;

  private KnowledgeBaseIndex(List<Shard> shards) {
    this.shards = List.copyOf(shards);
  }

  /** An empty in-memory index of {@code shardCount} shards. */
  public static KnowledgeBaseIndex create(int shardCount) throws IOException {
    if (shardCount < 1) {
      throw new IllegalArgumentException("shardCount must be at least 1, got " + shardCount);
    }
    List<Shard> shards = new ArrayList<>(shardCount);
    for (int i = 0; i < shardCount; i++) {
      shards.add(Shard.create());
    }
    return new KnowledgeBaseIndex(shards);
  }

  /**
   * An index of {@code shardCount} shards holding {@code records} as they are (embeddings are never recomputed).
   * Records may come in any order; a chunk id seen twice keeps its last version.
   */
  public static KnowledgeBaseIndex rebuild(int shardCount, Iterable<ChunkRecord> records) throws IOException {
    KnowledgeBaseIndex index = create(shardCount);
    List<ChunkRecord> batch = new ArrayList<>(1024);
    for (ChunkRecord r : records) {
      batch.add(r);
      if (batch.size() == 1024) {
        index.append(batch);
        batch.clear();
      }
    }
    index.append(batch);
    index.refresh();
    return index;
  }

  /** The shard count of this index. */
  public int shardCount() {
    return shards.size();
  }

  /**
   * Replaces every chunk of {@code documentId} by {@code chunks} and makes the change searchable before returning.
   * An empty list deletes the document. Validated before anything is written: a bad vector changes nothing.
   *
   * @throws IllegalArgumentException when a chunk belongs to another document or its vector is empty, zero, or of a
   *     dimension other than the index's (the verticle answers 400)
   */
  public void upsert(String documentId, List<ChunkRecord> chunks) throws IOException {
    validate(chunks, documentId);
    Shard shard = shards.get(ShardRouter.shardOf(documentId, shards.size()));
    shard.replace(documentId, chunks);
    shard.refresh();
  }

  /** Deletes every chunk of {@code documentId}; searches stop returning them before this returns. */
  public void delete(String documentId) throws IOException {
    upsert(documentId, List.of());
  }

  /**
   * Adds chunks without replacing earlier versions, and without refreshing: the fast path for a rebuild streamed in
   * batches. Call {@link #refresh()} after the last batch.
   */
  public void append(List<ChunkRecord> chunks) throws IOException {
    validate(chunks, null);
    Map<Integer, List<ChunkRecord>> byShard = new HashMap<>();
    for (ChunkRecord c : chunks) {
      byShard.computeIfAbsent(ShardRouter.shardOf(c.documentId(), shards.size()), s -> new ArrayList<>()).add(c);
    }
    for (Map.Entry<Integer, List<ChunkRecord>> e : byShard.entrySet()) {
      shards.get(e.getKey()).append(e.getValue());
    }
  }

  /** Makes every write so far visible to keyword search. */
  public void refresh() throws IOException {
    for (Shard s : shards) {
      s.refresh();
    }
  }

  /**
   * Searches every shard in parallel on {@code executor} and merges: each ranking keeps its best
   * {@code query.keywordCandidates()} or {@code query.vectorCandidates()} over all shards (keyword scores use global BM25 statistics, so they compare across
   * shards), hybrid mode fuses the two with {@code fusion}, and the best {@code query.topK()} are returned.
   * Non-blocking; see the class note on the executor.
   *
   * @return the hits, best first; fails with {@link IllegalArgumentException} for a query vector of the wrong dimension
   */
  public CompletableFuture<List<Hit>> search(SearchQuery query, Fusion fusion, Executor executor) {
    return new ScatterSearch(shards, query, fusion, executor).run();
  }

  /** Rebuilds each shard's graph without its deleted vectors and merges away deleted Lucene documents. Slow. */
  public void compact() throws IOException {
    for (Shard s : shards) {
      s.compact();
    }
  }

  public IndexStats stats() throws IOException {
    int chunks = 0;
    int deleted = 0;
    for (Shard s : shards) {
      chunks += s.chunks();
      deleted += s.deletedVectors();
    }
    return new IndexStats(shards.size(), chunks, deleted, dimension());
  }

  /**
   * Writes the whole index under {@code dir}, replacing what was there only once the new copy is complete:
   * {@code manifest.json} and {@code shard-<i>/} with the Lucene files and the JVector graph, vectors and id maps.
   * Every file is forced to disk and listed in the manifest with its checksum, and the manifest is written last; a
   * write that fails (a full disk) removes its partial copy and leaves the previous snapshot in place. Copies left by
   * a process that died mid-snapshot are removed by the next one. Writes to a shard wait while it is copied; searches
   * do not.
   */
  public void snapshot(Path dir) throws IOException {
    JsonObject manifest = new JsonObject().put("format", FORMAT).put("shards", shards.size());
    SnapshotDirectory.write(dir, MANIFEST, manifest, fresh -> {
      for (int i = 0; i < shards.size(); i++) {
        shards.get(i).writeSnapshot(fresh.resolve("shard-" + i));
      }
    });
  }

  /**
   * Loads a {@link #snapshot} into memory, after checking every file against the manifest. Its shard count is the
   * snapshot's: when that differs from the configured count, {@link #rebuild} from PostgreSQL instead.
   *
   * @throws IOException when {@code dir} holds no complete, intact snapshot (then rebuild)
   */
  public static KnowledgeBaseIndex load(Path dir) throws IOException {
    JsonObject manifest = SnapshotDirectory.read(dir, MANIFEST, FORMAT);
    int count = manifest.getInteger("shards");
    List<Shard> shards = new ArrayList<>(count);
    try {
      for (int i = 0; i < count; i++) {
        shards.add(Shard.load(dir.resolve("shard-" + i)));
      }
    } catch (IOException | RuntimeException e) {
      for (Shard s : shards) {
        s.close();
      }
      throw e instanceof IOException io ? io : new IOException("corrupt snapshot in " + dir, e);
    }
    return new KnowledgeBaseIndex(shards);
  }

  /** Releases the shards' memory. The index is unusable afterwards. */
  @Override
  public void close() throws IOException {
    IOException first = null;
    for (Shard s : shards) {
      try {
        s.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private int dimension() {
    for (Shard s : shards) {
      if (s.dimension() > 0) {
        return s.dimension();
      }
    }
    return 0;
  }

  private void validate(List<ChunkRecord> chunks, String documentId) {
    Shard.validate(chunks, documentId, dimension());
  }
}
