package io.ganglion.retrieval.shard;

import io.ganglion.retrieval.impl.RetrievalWorkers;
import io.ganglion.retrieval.index.ChunkRecord;
import io.ganglion.retrieval.index.Shard;
import io.ganglion.store.ChangeLogRepository;
import io.ganglion.store.DocumentRepository;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Brings one copy of a shard up to date: loads it from its snapshot or rebuilds it from the stored chunks and
 * embeddings (never re-embedding; each in a working directory of its own, {@link ReplicaWorkspace}), then replays the change log of its shard from the version it holds. When the log
 * no longer reaches back that far (pruned) the copy is rebuilt instead.
 * <p>
 * <b>NOTE</b>: called on the retrieval verticle's context; PostgreSQL reads are asynchronous there and index work
 * runs on the retrieval workers. The caller serialises calls per copy ({@link Replica#work}).
 */
final class ReplicaLoader {

  /** Documents whose chunks one catch-up query reads. */
  static final int DOCUMENTS_PER_READ = 500;
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaLoader.class);

  /** The knowledge base was deleted while its copy was being loaded or caught up. */
  static final class KbGoneException extends RuntimeException {
    KbGoneException(ShardKey key) {
      super("knowledge base of " + key + " no longer exists");
    }
  }

  private final RetrievalWorkers workers;
  private final DocumentRepository documents;
  private final ChangeLogRepository changeLog;
  private final ReplicaSnapshots snapshots;
  private final ReplicaWorkspace workspace;
  private final ReplicaMetrics metrics;

  ReplicaLoader(RetrievalWorkers workers, DocumentRepository documents, ChangeLogRepository changeLog,
                ReplicaSnapshots snapshots, ReplicaWorkspace workspace, ReplicaMetrics metrics) {
    this.workers = workers;
    this.documents = documents;
    this.changeLog = changeLog;
    this.snapshots = snapshots;
    this.workspace = workspace;
    this.metrics = metrics;
  }

  /** Loads {@code r} (snapshot, else rebuild), then catches it up. */
  Future<Void> load(Replica r) {
    long started = System.nanoTime();
    return workers.run(() -> {
        ReplicaSnapshots.Loaded loaded = snapshots.load(r.key, r.kbShards);
        if (loaded != null) {
          r.chunks = loaded.shard().stats().chunks();
        }
        return loaded;
      })
      .compose(loaded -> {
        if (loaded == null) {
          return rebuild(r);
        }
        r.shard = loaded.shard();
        r.version = loaded.version();
        metrics.loaded("snapshot");
        return Future.succeededFuture();
      })
      .compose(v -> catchUp(r))
      .onSuccess(v -> LOG.info("copy of shard {} loaded at version {} in {} ms", r.key, r.version,
        (System.nanoTime() - started) / 1_000_000));
  }

  /** Applies every logged change of {@code r}'s shard after {@code r.version}. */
  Future<Void> catchUp(Replica r) {
    return changeLog.since(r.key.kbId(), r.key.shard(), r.version).compose(changes -> {
      if (!changes.exists()) {
        return Future.failedFuture(new KbGoneException(r.key));
      }
      if (!changes.reaches(r.version)) {
        LOG.info("change log of {} starts after version {} of its copy; rebuilding", r.key, r.version);
        metrics.logGap();
        return rebuild(r).compose(v -> catchUp(r));
      }
      if (changes.changes().isEmpty()) {
        r.version = Math.max(r.version, changes.kbVersion());
        return Future.succeededFuture();
      }
      Set<String> changed = new LinkedHashSet<>();
      changes.changes().forEach(c -> changed.add(c.documentId()));
      return apply(r, new ArrayList<>(changed), 0).map(v -> {
        r.version = Math.max(r.version, changes.kbVersion());
        r.dirty = true;
        metrics.replayed(changes.changes().size());
        return null;
      });
    });
  }

  /** Replaces each of {@code ids} (from {@code from} on) in the copy by its stored chunks; none stored: deleted. */
  private Future<Void> apply(Replica r, List<String> ids, int from) {
    if (from >= ids.size()) {
      return Future.succeededFuture();
    }
    List<String> batch = ids.subList(from, Math.min(ids.size(), from + DOCUMENTS_PER_READ));
    return documents.documentChunks(r.key.kbId(), batch)
      .compose(rows -> workers.<Void>runBulk(() -> {
        Map<String, List<ChunkRecord>> byDocument = new HashMap<>();
        batch.forEach(id -> byDocument.put(id, new ArrayList<>()));
        rows.forEach(c -> byDocument.get(c.documentId()).add(record(c)));
        for (String id : batch) {
          r.shard.upsert(id, byDocument.get(id));
        }
        r.chunks = r.shard.stats().chunks();
        return null;
      }))
      .compose(v -> apply(r, ids, from + DOCUMENTS_PER_READ));
  }

  /** Rebuilds {@code r} from the stored chunks of its shard, at the version read before them. */
  private Future<Void> rebuild(Replica r) {
    long started = System.nanoTime();
    return changeLog.since(r.key.kbId(), r.key.shard(), Long.MAX_VALUE).compose(head -> {
      if (!head.exists()) {
        return Future.failedFuture(new KbGoneException(r.key));
      }
      return documents.shardChunks(r.key.kbId(), r.key.shard())
        .compose(rows -> workers.runBulk(() -> {
          Shard shard = workspace.rebuild(r.key, () -> rows.stream().map(ReplicaLoader::record).iterator());
          r.chunks = shard.stats().chunks();
          return shard;
        }))
        .compose(rebuilt -> {
          Shard old = r.shard;
          r.shard = rebuilt;
          r.version = head.kbVersion();
          r.dirty = true;
          metrics.loaded("rebuild");
          LOG.info("copy of shard {} rebuilt from PostgreSQL at version {} in {} ms", r.key, r.version,
            (System.nanoTime() - started) / 1_000_000);
          return old == null ? Future.succeededFuture() : workers.<Void>runBulk(() -> {
            close(old);
            return null;
          });
        });
    });
  }

  static void close(Shard shard) {
    try {
      shard.close();
    } catch (IOException e) {
      LOG.warn("closing a shard failed: {}", e.toString());
    }
  }

  static ChunkRecord record(DocumentRepository.StoredChunk c) {
    Map<String, String> metadata = new HashMap<>();
    if (c.metadata() != null) {
      c.metadata().forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
    }
    return new ChunkRecord(c.documentId(), c.documentId() + "#" + c.index(), c.title(), c.text(), c.indexedText(),
      c.start(), c.end(), metadata, c.embedding(), c.injection() == null ? null : c.injection().encode());
  }
}
