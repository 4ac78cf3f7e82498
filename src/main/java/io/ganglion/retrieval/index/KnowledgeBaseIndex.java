package io.ganglion.retrieval.index;

import io.vertx.core.json.JsonObject;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The search index of one knowledge base: its chunks split over shards by document id ({@link ShardRouter}), each
 * shard a Lucene BM25 index plus a JVector vector index (an in-heap graph for small shards; an on-disk graph walked
 * with PQ codes, plus an in-heap segment for recent vectors, for large ones: {@link VectorIndexConfig}). Derived data:
 * PostgreSQL holds the chunks and their embeddings, this index is {@link #rebuild rebuilt} from them or
 * {@link #load loaded} from a {@link #snapshot}. On-disk segments live in the index's working directory, deleted on
 * {@link #close()}.
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
   * 5: vector indexes of segments (an on-disk graph, in-heap graphs) and the keyword index's heading field and
   * document-id doc values; 4: those keyword fields with one in-heap graph per shard; 3: the segments without them; 2:
   * neither, the manifest listing every file with its size and checksum; 1: no such list. Any other format is rebuilt.
   */
  static final int FORMAT = 5;

  private final List<Shard> shards;
  private final Path workDir;
  /** Checksums of the last snapshot's files, so its immutable segment files are not read again ({@link #snapshot}). */
  private final SnapshotChecksums sealed = new SnapshotChecksums();

  private KnowledgeBaseIndex(List<Shard> shards, Path workDir) {
    this.shards = List.copyOf(shards);
    this.workDir = workDir;
  }

  /** An empty index of {@code shardCount} shards with the default vector settings and a temporary working directory. */
  public static KnowledgeBaseIndex create(int shardCount) throws IOException {
    return create(shardCount, temporaryWorkDir(), IndexResources.defaults());
  }

  /** An empty index of {@code shardCount} shards whose on-disk segments live under {@code workDir}. */
  public static KnowledgeBaseIndex create(int shardCount, Path workDir, IndexResources resources) throws IOException {
    if (shardCount < 1) {
      throw new IllegalArgumentException("shardCount must be at least 1, got " + shardCount);
    }
    Files.createDirectories(workDir);
    List<Shard> shards = new ArrayList<>(shardCount);
    for (int i = 0; i < shardCount; i++) {
      shards.add(Shard.create(workDir.resolve("shard-" + i), resources));
    }
    return new KnowledgeBaseIndex(shards, workDir);
  }

  /** {@link #rebuild(int, Iterable, Path, IndexResources)} with the defaults and a temporary working directory. */
  public static KnowledgeBaseIndex rebuild(int shardCount, Iterable<ChunkRecord> records) throws IOException {
    return rebuild(shardCount, records, temporaryWorkDir(), IndexResources.defaults());
  }

  /**
   * An index of {@code shardCount} shards holding {@code records} as they are (embeddings are never recomputed).
   * Records may come in any order; a chunk id seen twice keeps its last version. Vectors stream to scratch files, and
   * each shard's vector index is built once at the end on the build pool: an on-disk segment for shards of
   * {@link VectorIndexConfig#diskAbove} vectors or more, an in-heap graph below.
   */
  public static KnowledgeBaseIndex rebuild(int shardCount, Iterable<ChunkRecord> records, Path workDir,
                                           IndexResources resources) throws IOException {
    if (shardCount < 1) {
      throw new IllegalArgumentException("shardCount must be at least 1, got " + shardCount);
    }
    Files.createDirectories(workDir);
    List<Shard.Bulk> loads = new ArrayList<>(shardCount);
    List<Shard> shards = new ArrayList<>(shardCount);
    try {
      for (int i = 0; i < shardCount; i++) {
        loads.add(new Shard.Bulk(workDir.resolve("shard-" + i), resources));
      }
      int dimension = 0;
      for (ChunkRecord r : records) {
        dimension = Shard.checkVector(r, dimension);
        loads.get(ShardRouter.shardOf(r.documentId(), shardCount)).add(r);
      }
      for (Shard.Bulk load : loads) {
        shards.add(load.finish());
      }
      return new KnowledgeBaseIndex(shards, workDir);
    } catch (IOException | RuntimeException e) {
      for (Shard.Bulk load : loads) {
        load.close();
      }
      for (Shard s : shards) {
        s.close();
      }
      throw e;
    }
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

  /**
   * Rebuilds each shard's vector segments without their deleted vectors and merges away deleted Lucene documents.
   * Slow (a large shard's on-disk graph is rewritten: extended without its deleted nodes, or rebuilt once half of
   * it is deleted); writes continue meanwhile.
   */
  public void compact() throws IOException {
    for (Shard s : shards) {
      s.compact();
    }
  }

  /**
   * Runs, on the calling thread, the merge of every shard whose in-heap segment has passed
   * {@link VectorIndexConfig#mergeAbove} (they otherwise run in the background after writes); returns how many ran.
   */
  public int merge() throws IOException {
    int merged = 0;
    for (Shard s : shards) {
      merged += s.mergeNowIfNeeded() ? 1 : 0;
    }
    return merged;
  }

  /** Per shard, what its vector index holds and where (heap, disk); cheap enough for a metrics scrape. */
  public List<VectorIndexStats> vectorStats() {
    List<VectorIndexStats> out = new ArrayList<>(shards.size());
    for (Shard s : shards) {
      out.add(s.vectorStats());
    }
    return out;
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
   * Every file is forced to disk and listed in the manifest with its checksum (an on-disk segment's files are
   * immutable and linked, so theirs is computed at the first snapshot only), and the manifest is written last; a
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
    }, sealed);
  }

  /** {@link #load(Path, Path, IndexResources)} with the defaults and a temporary working directory. */
  public static KnowledgeBaseIndex load(Path dir) throws IOException {
    return load(dir, temporaryWorkDir(), IndexResources.defaults());
  }

  /**
   * Loads a {@link #snapshot}, after checking every file against the manifest: Lucene and in-heap segments into
   * memory, on-disk segments linked (not copied) into {@code workDir} and memory-mapped. Its shard count is the
   * snapshot's: when that differs from the configured count, {@link #rebuild} from PostgreSQL instead.
   *
   * @throws IOException when {@code dir} holds no complete, intact snapshot of the current format (then rebuild)
   */
  public static KnowledgeBaseIndex load(Path dir, Path workDir, IndexResources resources) throws IOException {
    SnapshotChecksums verified = new SnapshotChecksums();
    JsonObject manifest = SnapshotDirectory.read(dir, MANIFEST, FORMAT, verified);
    int count = manifest.getInteger("shards");
    List<Shard> shards = new ArrayList<>(count);
    try {
      Files.createDirectories(workDir);
      for (int i = 0; i < count; i++) {
        shards.add(Shard.load(dir.resolve("shard-" + i), workDir.resolve("shard-" + i), resources));
      }
    } catch (IOException | RuntimeException e) {
      for (Shard s : shards) {
        s.close();
      }
      SnapshotDirectory.deleteTree(workDir);
      throw e instanceof IOException io ? io : new IOException("corrupt snapshot in " + dir, e);
    }
    KnowledgeBaseIndex index = new KnowledgeBaseIndex(shards, workDir);
    index.sealed.addAll(verified); // the segment files just linked into workDir: the next snapshot need not read them
    return index;
  }

  /** Releases the shards' memory and deletes the working directory. The index is unusable afterwards. */
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
    try {
      SnapshotDirectory.deleteTree(workDir);
    } catch (IOException e) {
      first = first == null ? e : first;
    }
    if (first != null) {
      throw first;
    }
  }

  private static Path temporaryWorkDir() throws IOException {
    return Files.createTempDirectory("ganglion-index-");
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
