package io.ganglion.retrieval.impl;

import io.ganglion.retrieval.index.ChunkRecord;
import io.ganglion.retrieval.index.Fusion;
import io.ganglion.retrieval.index.Hit;
import io.ganglion.retrieval.index.IndexResources;
import io.ganglion.retrieval.index.IndexStats;
import io.ganglion.retrieval.index.KnowledgeBaseIndex;
import io.ganglion.retrieval.index.SearchQuery;
import io.ganglion.retrieval.index.VectorIndexConfig;
import io.ganglion.retrieval.index.VectorIndexStats;
import io.ganglion.store.DocumentRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-process indexes of the knowledge bases this node serves, derived from PostgreSQL. An index is opened on
 * first use: from its snapshot under {@code dataDir/indexes/<kb id>/index} when the snapshot's version is the knowledge
 * base's current version and its format the current one, otherwise rebuilt from the stored chunks and embeddings
 * (never re-embedded). Large shards keep their vectors in on-disk segments under {@code dataDir/indexes/<kb id>/work}
 * (recreated on every open). Changed indexes are snapshotted periodically and at stop, compacted first when deleted
 * vectors have piled up. Each open index reports its vector meters ({@link VectorMeters}).
 * <p>
 * <b>NOTE</b>: every method must be called on the retrieval verticle's context (the maps are not synchronised);
 * index work runs on {@link RetrievalWorkers} and results come back to that context.
 */
public final class KbIndexes implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KbIndexes.class);
  private static final String VERSION_FILE = "version";
  private static final String WORK = "work";
  static final int COMPACT_MIN_DELETED = 1000;

  private final RetrievalWorkers workers;
  private final DocumentRepository documents;
  private final Path root;
  private final int shards;
  private final IndexResources resources;
  private final VectorMeters meters;
  private final Map<Long, Future<KnowledgeBaseIndex>> open = new HashMap<>();
  /** Version each open index is at, and whether that version still needs a snapshot. */
  private final Map<Long, Long> versions = new HashMap<>();
  private final Map<Long, Boolean> dirty = new HashMap<>();

  public KbIndexes(RetrievalWorkers workers, DocumentRepository documents, Path root, int shards,
                   VectorIndexConfig vectors, MeterRegistry registry) {
    this.workers = workers;
    this.documents = documents;
    this.root = root;
    this.shards = shards;
    this.resources = IndexResources.create(vectors);
    this.meters = new VectorMeters(registry);
  }

  /** The knowledge base's index, opening (loading or rebuilding) it on first use; concurrent callers share the work. */
  public Future<KnowledgeBaseIndex> index(long kbId) {
    return open.computeIfAbsent(kbId, id -> load(id)
      .onSuccess(index -> meters.add(id, index))
      .onFailure(e -> open.remove(id)));
  }

  public Future<Void> upsert(long kbId, String documentId, List<ChunkRecord> chunks, long version) {
    return index(kbId).compose(index -> workers.<Void>run(() -> {
      index.upsert(documentId, chunks);
      return null;
    })).map(v -> changed(kbId, version));
  }

  public Future<Void> delete(long kbId, String documentId, long version) {
    return index(kbId).compose(index -> workers.<Void>run(() -> {
      index.delete(documentId);
      return null;
    })).map(v -> changed(kbId, version));
  }

  public Future<List<Hit>> search(long kbId, SearchQuery query, Fusion fusion) {
    return index(kbId).compose(index -> workers.onContext(index.search(query, fusion, workers.executor())));
  }

  /** Closes the knowledge base's index and removes its snapshot (the KB was deleted). */
  public Future<Void> drop(long kbId) {
    Future<KnowledgeBaseIndex> index = open.remove(kbId);
    versions.remove(kbId);
    dirty.remove(kbId);
    meters.remove(kbId);
    Path dir = root.resolve(Long.toString(kbId));
    return (index == null ? Future.<KnowledgeBaseIndex>succeededFuture(null) : index.recover(e -> Future.succeededFuture(null)))
      .compose(opened -> workers.run(() -> {
        if (opened != null) {
          opened.close();
        }
        deleteTree(dir);
        return null;
      }));
  }

  /** Writes a snapshot of every index changed since its last one. */
  public Future<Void> snapshotChanged() {
    List<Future<Void>> writes = new java.util.ArrayList<>();
    for (Map.Entry<Long, Boolean> entry : Map.copyOf(dirty).entrySet()) {
      if (!entry.getValue()) {
        continue;
      }
      long kbId = entry.getKey();
      long version = versions.getOrDefault(kbId, 0L);
      dirty.put(kbId, false);
      writes.add(index(kbId).compose(index -> workers.<Void>run(() -> {
        Path dir = root.resolve(Long.toString(kbId));
        IndexStats stats = index.stats();
        if (stats.deletedVectors() > Math.max(COMPACT_MIN_DELETED, stats.chunks() / 4)) {
          // deleted vectors are skipped at query time; rebuilding the graphs without them is done here, off the
          // request path, once they are a quarter of the index
          index.compact();
        }
        index.snapshot(dir.resolve("index"));
        Files.writeString(dir.resolve(VERSION_FILE), Long.toString(version));
        return null;
      })).onFailure(e -> {
        dirty.put(kbId, true);
        LOG.warn("snapshot of knowledge base {} failed: {}", kbId, e.toString());
      }));
    }
    return Future.join(writes).mapEmpty();
  }

  /** The open indexes and how their shards hold vectors, for status replies. */
  public JsonObject describe() {
    JsonArray kbs = new JsonArray();
    open.forEach((kbId, index) -> {
      if (index.succeeded()) {
        JsonArray shardKinds = new JsonArray();
        long heap = 0;
        long disk = 0;
        long vectors = 0;
        for (VectorIndexStats s : index.result().vectorStats()) {
          shardKinds.add(s.kind().label());
          heap += s.heapBytes();
          disk += s.diskBytes();
          vectors += s.vectors();
        }
        kbs.add(new JsonObject().put("kb", kbId).put("vectors", vectors).put("heapBytes", heap).put("diskBytes", disk)
          .put("shardKinds", shardKinds));
      }
    });
    return new JsonObject().put("openIndexes", open.size()).put("vectorIndexes", kbs);
  }

  @Override
  public void close() {
    open.keySet().forEach(meters::remove);
    for (Future<KnowledgeBaseIndex> index : open.values()) {
      if (index.succeeded()) {
        try {
          index.result().close();
        } catch (IOException e) {
          LOG.warn("closing an index failed: {}", e.toString());
        }
      }
    }
    open.clear();
    resources.close();
  }

  private Void changed(long kbId, long version) {
    versions.merge(kbId, version, Math::max);
    dirty.put(kbId, true);
    return null;
  }

  private Future<KnowledgeBaseIndex> load(long kbId) {
    Path dir = root.resolve(Long.toString(kbId));
    return documents.counts(kbId).compose(counts -> {
      long stored = counts.version();
      Future<KnowledgeBaseIndex> fromSnapshot = workers.run(() -> {
        Path versionFile = dir.resolve(VERSION_FILE);
        if (!Files.exists(versionFile) || Long.parseLong(Files.readString(versionFile).trim()) != stored) {
          return null;
        }
        deleteTree(dir.resolve(WORK)); // a crash leaves the last run's segments: they are not the snapshot's
        KnowledgeBaseIndex index = KnowledgeBaseIndex.load(dir.resolve("index"), dir.resolve(WORK), resources);
        if (index.shardCount() != shards) {
          index.close();
          return null;
        }
        return index;
      }).recover(e -> {
        LOG.warn("snapshot of knowledge base {} unreadable, rebuilding: {}", kbId, e.toString());
        return Future.succeededFuture(null);
      });
      return fromSnapshot.compose(index -> {
        versions.put(kbId, stored);
        if (index != null) {
          dirty.put(kbId, false);
          LOG.info("knowledge base {} loaded from snapshot at version {}", kbId, stored);
          return Future.succeededFuture(index);
        }
        return documents.allChunks(kbId).compose(rows -> workers.run(() -> {
          long started = System.nanoTime();
          deleteTree(dir.resolve(WORK));
          KnowledgeBaseIndex rebuilt = KnowledgeBaseIndex.rebuild(shards, rows.stream().map(KbIndexes::record).toList(),
            dir.resolve(WORK), resources);
          LOG.info("knowledge base {} rebuilt from {} stored chunks in {} ms", kbId, rows.size(),
            (System.nanoTime() - started) / 1_000_000);
          return rebuilt;
        })).onSuccess(rebuilt -> dirty.put(kbId, !isEmpty(rebuilt)));
      });
    });
  }

  private static boolean isEmpty(KnowledgeBaseIndex index) {
    try {
      return index.stats().chunks() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  static ChunkRecord record(DocumentRepository.StoredChunk c) {
    Map<String, String> metadata = new HashMap<>();
    if (c.metadata() != null) {
      c.metadata().forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
    }
    return new ChunkRecord(c.documentId(), c.documentId() + "#" + c.index(), c.title(), c.text(), c.indexedText(),
      c.start(), c.end(), metadata, c.embedding());
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
