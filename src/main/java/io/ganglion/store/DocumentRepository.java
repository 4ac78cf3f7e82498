package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.nio.ByteBuffer;
import java.time.OffsetDateTime;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Documents and chunks, the source of truth of retrieval. Every change to a knowledge base's content bumps its
 * {@code version} in the same transaction, so caches keyed on the version never serve stale answers.
 */
public final class DocumentRepository {

  /** A document as stored: its canonical text, which chunk offsets and citations point into. */
  public record StoredDocument(String id, String title, String text, JsonObject metadata, String contentType) {
  }

  /**
   * A chunk as stored, with its embedding.
   *
   * @param injection the reflex layer's indirect-injection verdict recorded at ingestion
   *     ({@code {"injection","score","rules","families","stage","version"}}), or {@code null} when none was recorded
   *     (chunks stored before V9, or the reflex layer did not answer): such a chunk is inspected when asked
   */
  public record StoredChunk(String documentId, int index, String title, String text, String indexedText, int start,
                            int end, JsonObject metadata, float[] embedding, JsonObject injection) {

    /** A chunk without a recorded injection verdict. */
    public StoredChunk(String documentId, int index, String title, String text, String indexedText, int start, int end,
                       JsonObject metadata, float[] embedding) {
      this(documentId, index, title, text, indexedText, start, end, metadata, embedding, null);
    }
  }

  /**
   * The sentences of one chunk with their vectors ({@code io.ganglion.retrieval.ingest.SentenceSpans}).
   *
   * @param index the chunk's index in its document
   * @param starts each sentence's first character in the document
   * @param ends each sentence's end in the document, exclusive
   * @param vectors one vector per sentence, in order, of the knowledge base's embedding model
   */
  public record ChunkSentences(int index, int[] starts, int[] ends, List<float[]> vectors) {

    public ChunkSentences {
      if (starts.length != ends.length || starts.length != vectors.size()) {
        throw new IllegalArgumentException(starts.length + " starts, " + ends.length + " ends and " + vectors.size()
          + " vectors");
      }
      vectors = List.copyOf(vectors);
    }
  }

  /** How much a knowledge base holds. */
  public record Counts(long documents, long chunks, long version) {
  }

  /** Rows fetched per round trip when streaming a knowledge base's chunks for a rebuild. */
  static final int PAGE = 2000;

  private final Pool pool;

  public DocumentRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Inserts or replaces {@code document} (which lives in {@code shard}) and all of its chunks atomically, and logs the
   * change ({@link ChangeLogRepository}); returns the knowledge base's new version.
   */
  public Future<Long> replace(long kbId, int shard, StoredDocument document, List<StoredChunk> chunks) {
    return replace(kbId, shard, document, chunks, List.of());
  }

  /**
   * {@link #replace(long, int, StoredDocument, List)} with the chunks' sentence vectors (the old chunks' sentences go
   * with them).
   *
   * @param sentences per chunk (by {@link ChunkSentences#index()}); chunks without an entry have no stored sentences
   */
  public Future<Long> replace(long kbId, int shard, StoredDocument document, List<StoredChunk> chunks,
                              List<ChunkSentences> sentences) {
    return pool.withTransaction(conn -> conn.preparedQuery(
          "insert into documents(kb_id, id, title, text, metadata, content_type, shard) values ($1, $2, $3, $4, $5, $6, $7) "
            + "on conflict (kb_id, id) do update set title = excluded.title, text = excluded.text, "
            + "metadata = excluded.metadata, content_type = excluded.content_type, shard = excluded.shard, updated_at = now()")
        .execute(Tuple.of(kbId, document.id(), document.title(), document.text(), document.metadata(), document.contentType(),
          shard))
        .compose(v -> conn.preparedQuery("delete from chunks where kb_id = $1 and document_id = $2")
          .execute(Tuple.of(kbId, document.id())))
        .compose(v -> chunks.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(
            "insert into chunks(kb_id, document_id, idx, start_offset, end_offset, text, indexed_text, embedding, injection) "
              + "values ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
          .executeBatch(chunks.stream().map(c -> Tuple.of(kbId, c.documentId(), c.index(), c.start(), c.end(),
            c.text(), c.indexedText(), Buffer.buffer(bytes(c.embedding())), c.injection())).toList()))
        .compose(v -> sentences.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(
            "insert into chunk_sentences(kb_id, document_id, idx, starts, ends, vectors) values ($1, $2, $3, $4, $5, $6)")
          .executeBatch(sentences.stream().map(s -> Tuple.of(kbId, document.id(), s.index(), boxed(s.starts()),
            boxed(s.ends()), Buffer.buffer(bytes(s.vectors())))).toList()))
        .compose(v -> bumpVersion(conn, kbId))
        .compose(version -> ChangeLogRepository.record(conn, kbId, version, shard, document.id(), false)))
      .recover(PgFailures::coded);
  }

  /**
   * Deletes the document (of {@code shard}) and its chunks, logging the change and queueing {@code document.deleted}
   * for the tenant's webhooks in the same transaction; the new version, or empty if none.
   */
  public Future<Optional<Long>> delete(long kbId, int shard, String documentId) {
    return pool.withTransaction(conn -> conn.preparedQuery("delete from documents d using kbs k where k.id = d.kb_id "
        + "and d.kb_id = $1 and d.id = $2 returning k.tenant_id, k.name")
      .execute(Tuple.of(kbId, documentId))
      .compose(rows -> {
        if (rows.rowCount() == 0) {
          return Future.succeededFuture(Optional.<Long>empty());
        }
        Row kb = rows.iterator().next();
        // a hidden knowledge base (a model change's shadow replaying a deletion) is not the tenant's: no event
        boolean hidden = kb.getString("name").startsWith(KbRepository.HIDDEN);
        return bumpVersion(conn, kbId)
          .compose(version -> ChangeLogRepository.record(conn, kbId, version, shard, documentId, true))
          .compose(version -> hidden ? Future.succeededFuture(version)
            : WebhookEvent.DOCUMENT_DELETED.enqueue(conn, kb.getString("tenant_id"),
              new JsonObject().put("kb", kb.getString("name")).put("id", documentId)).map(version))
          .map(Optional::of);
      }))
      .recover(PgFailures::coded);
  }

  /**
   * Up to {@code limit} documents of the knowledge base, by id, after {@code afterId} (null: from the first), each
   * {@code {"id","title","contentType","chunks","updatedAt"}}, without their text.
   */
  public Future<List<JsonObject>> list(long kbId, String afterId, int limit) {
    return pool.preparedQuery("select d.id, d.title, d.content_type, d.updated_at, "
        + "(select count(*) from chunks c where c.kb_id = d.kb_id and c.document_id = d.id) as chunks "
        + "from documents d where d.kb_id = $1 and ($2::text is null or d.id > $2) order by d.id limit $3")
      .execute(Tuple.of(kbId, afterId, limit))
      .map(rows -> {
        List<JsonObject> page = new ArrayList<>();
        rows.forEach(r -> page.add(new JsonObject().put("id", r.getString("id")).put("title", r.getString("title"))
          .put("contentType", r.getString("content_type")).put("chunks", r.getLong("chunks"))
          .put("updatedAt", r.getOffsetDateTime("updated_at").toString())));
        return page;
      })
      .recover(PgFailures::coded);
  }

  /** The document and its chunks (without embeddings), if present. */
  public Future<Optional<JsonObject>> get(long kbId, String documentId) {
    return pool.preparedQuery("select id, title, text, metadata, content_type, created_at, updated_at from documents "
        + "where kb_id = $1 and id = $2")
      .execute(Tuple.of(kbId, documentId))
      .compose(docs -> {
        if (docs.size() == 0) {
          return Future.succeededFuture(Optional.<JsonObject>empty());
        }
        Row doc = docs.iterator().next();
        return pool.preparedQuery("select idx, start_offset, end_offset, text, injection from chunks "
            + "where kb_id = $1 and document_id = $2 order by idx")
          .execute(Tuple.of(kbId, documentId))
          .map(rows -> {
            List<JsonObject> chunks = new ArrayList<>();
            rows.forEach(r -> chunks.add(new JsonObject().put("chunkId", documentId + "#" + r.getInteger("idx"))
              .put("index", r.getInteger("idx")).put("start", r.getInteger("start_offset"))
              .put("end", r.getInteger("end_offset")).put("text", r.getString("text"))
              .put("injection", r.getJsonObject("injection"))));
            return Optional.of(new JsonObject().put("id", doc.getString("id")).put("title", doc.getString("title"))
              .put("text", doc.getString("text")).put("metadata", doc.getJsonObject("metadata"))
              .put("contentType", doc.getString("content_type"))
              .put("createdAt", doc.getOffsetDateTime("created_at").toString())
              .put("updatedAt", doc.getOffsetDateTime("updated_at").toString())
              .put("chunks", new io.vertx.core.json.JsonArray(chunks)));
          });
      })
      .recover(PgFailures::coded);
  }

  public Future<Counts> counts(long kbId) {
    return pool.preparedQuery("select (select count(*) from documents where kb_id = $1) as documents, "
        + "(select count(*) from chunks where kb_id = $1) as chunks, (select version from kbs where id = $1) as version")
      .execute(Tuple.of(kbId))
      .map(rows -> {
        Row row = rows.iterator().next();
        Long version = row.getLong("version");
        return new Counts(row.getLong("documents"), row.getLong("chunks"), version == null ? 0 : version);
      })
      .recover(PgFailures::coded);
  }

  /**
   * The stored sentences of the chunks {@code chunkIds} ({@code <documentId>#<index>}), by chunk id; chunks stored
   * without sentence vectors (or unknown ids) are absent.
   */
  public Future<Map<String, ChunkSentences>> sentences(long kbId, List<String> chunkIds) {
    List<String> documentIds = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    for (String chunkId : chunkIds) {
      int hash = chunkId.lastIndexOf('#');
      if (hash > 0 && hash < chunkId.length() - 1 && chunkId.substring(hash + 1).chars().allMatch(Character::isDigit)
        && chunkId.length() - hash <= 10) {
        documentIds.add(chunkId.substring(0, hash));
        indexes.add(Integer.parseInt(chunkId.substring(hash + 1)));
      }
    }
    if (documentIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return pool.preparedQuery("select s.document_id, s.idx, s.starts, s.ends, s.vectors from chunk_sentences s "
        + "join unnest($2::text[], $3::int[]) as wanted(document_id, idx) "
        + "on wanted.document_id = s.document_id and wanted.idx = s.idx where s.kb_id = $1")
      .execute(Tuple.of(kbId, documentIds.toArray(String[]::new), indexes.toArray(Integer[]::new)))
      .map(rows -> {
        Map<String, ChunkSentences> out = new HashMap<>();
        for (Row r : rows) {
          int[] starts = unboxed(r.getArrayOfIntegers("starts"));
          int[] ends = unboxed(r.getArrayOfIntegers("ends"));
          float[] all = floats(r.getBuffer("vectors").getBytes());
          int dims = starts.length == 0 ? 0 : all.length / starts.length;
          List<float[]> vectors = new ArrayList<>(starts.length);
          for (int i = 0; i < starts.length; i++) {
            vectors.add(Arrays.copyOfRange(all, i * dims, (i + 1) * dims));
          }
          out.put(r.getString("document_id") + "#" + r.getInteger("idx"),
            new ChunkSentences(r.getInteger("idx"), starts, ends, vectors));
        }
        return out;
      })
      .recover(PgFailures::coded);
  }

  /** Every chunk of one shard of the knowledge base with its embedding, in pages (a rebuild never re-embeds). */
  public Future<List<StoredChunk>> shardChunks(long kbId, int shard) {
    List<StoredChunk> all = new ArrayList<>();
    return page(kbId, shard, "", -1, all).map(v -> all)
      .recover(PgFailures::coded);
  }

  /** The chunks of these documents (absent documents have none), by document and index. */
  public Future<List<StoredChunk>> documentChunks(long kbId, List<String> documentIds) {
    return pool.preparedQuery(CHUNK_COLUMNS + "where c.kb_id = $1 and c.document_id = any($2) order by c.document_id, c.idx")
      .execute(Tuple.of(kbId, (Object) documentIds.toArray(String[]::new)))
      .map(rows -> {
        List<StoredChunk> out = new ArrayList<>();
        rows.forEach(r -> out.add(chunk(r)));
        return out;
      })
      .recover(PgFailures::coded);
  }

  /**
   * Fills in the shard of documents stored before shards were recorded ({@code shard is null}), {@code PAGE} at a
   * time; idempotent, so nodes starting together may all run it. Returns how many were filled.
   */
  public Future<Integer> assignShards(long kbId, java.util.function.ToIntFunction<String> shardOf) {
    return pool.preparedQuery("select id from documents where kb_id = $1 and shard is null limit $2")
      .execute(Tuple.of(kbId, PAGE))
      .compose(rows -> {
        if (rows.size() == 0) {
          return Future.succeededFuture(0);
        }
        List<Tuple> updates = new ArrayList<>();
        rows.forEach(r -> updates.add(Tuple.of(kbId, r.getString("id"), shardOf.applyAsInt(r.getString("id")))));
        int filled = rows.size();
        return pool.preparedQuery("update documents set shard = $3 where kb_id = $1 and id = $2 and shard is null")
          .executeBatch(updates)
          .compose(v -> assignShards(kbId, shardOf).map(more -> filled + more));
      })
      .recover(PgFailures::coded);
  }

  /** A stored document with the time it was last written. */
  public record DatedDocument(StoredDocument document, OffsetDateTime updatedAt) {
  }

  /** These documents as stored, with when each was last written (absent ones are left out). */
  public Future<List<DatedDocument>> dated(long kbId, List<String> documentIds) {
    return pool.preparedQuery("select id, title, text, metadata, content_type, updated_at from documents "
        + "where kb_id = $1 and id = any($2) order by id")
      .execute(Tuple.of(kbId, (Object) documentIds.toArray(String[]::new)))
      .map(rows -> {
        List<DatedDocument> out = new ArrayList<>();
        rows.forEach(r -> out.add(new DatedDocument(new StoredDocument(r.getString("id"), r.getString("title"),
          r.getString("text"), r.getJsonObject("metadata"), r.getString("content_type")), r.getOffsetDateTime("updated_at"))));
        return out;
      })
      .recover(PgFailures::coded);
  }

  /** When each of these documents was last written (absent ones are left out). */
  public Future<Map<String, OffsetDateTime>> updatedAt(long kbId, List<String> documentIds) {
    return pool.preparedQuery("select id, updated_at from documents where kb_id = $1 and id = any($2)")
      .execute(Tuple.of(kbId, (Object) documentIds.toArray(String[]::new)))
      .map(rows -> {
        Map<String, OffsetDateTime> out = new HashMap<>();
        rows.forEach(r -> out.put(r.getString("id"), r.getOffsetDateTime("updated_at")));
        return out;
      })
      .recover(PgFailures::coded);
  }

  private static final String CHUNK_COLUMNS = "select c.document_id, c.idx, c.start_offset, c.end_offset, c.text, "
    + "c.indexed_text, c.embedding, c.injection, d.title, d.metadata from chunks c "
    + "join documents d on d.kb_id = c.kb_id and d.id = c.document_id ";

  private Future<Void> page(long kbId, int shard, String afterDocument, int afterIndex, List<StoredChunk> into) {
    return pool.preparedQuery(CHUNK_COLUMNS + "where c.kb_id = $1 and d.shard = $2 and (c.document_id, c.idx) > ($3, $4) "
        + "order by c.document_id, c.idx limit $5")
      .execute(Tuple.of(kbId, shard, afterDocument, afterIndex, PAGE))
      .compose(rows -> {
        StoredChunk last = null;
        for (Row r : rows) {
          last = chunk(r);
          into.add(last);
        }
        return rows.size() < PAGE ? Future.succeededFuture() : page(kbId, shard, last.documentId(), last.index(), into);
      });
  }

  private static StoredChunk chunk(Row r) {
    return new StoredChunk(r.getString("document_id"), r.getInteger("idx"), r.getString("title"),
      r.getString("text"), r.getString("indexed_text"), r.getInteger("start_offset"), r.getInteger("end_offset"),
      r.getJsonObject("metadata"), floats(r.getBuffer("embedding").getBytes()), r.getJsonObject("injection"));
  }

  private static Future<Long> bumpVersion(SqlConnection conn, long kbId) {
    return conn.preparedQuery("update kbs set version = version + 1 where id = $1 returning version")
      .execute(Tuple.of(kbId))
      .map(rows -> rows.iterator().next().getLong("version"));
  }

  private static byte[] bytes(List<float[]> vectors) {
    ByteBuffer buffer = ByteBuffer.allocate(vectors.stream().mapToInt(v -> v.length).sum() * 4)
      .order(ByteOrder.LITTLE_ENDIAN);
    vectors.forEach(vector -> {
      for (float v : vector) {
        buffer.putFloat(v);
      }
    });
    return buffer.array();
  }

  private static Integer[] boxed(int[] values) {
    return Arrays.stream(values).boxed().toArray(Integer[]::new);
  }

  private static int[] unboxed(Integer[] values) {
    return Arrays.stream(values).mapToInt(Integer::intValue).toArray();
  }

  static byte[] bytes(float[] vector) {
    ByteBuffer buffer = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : vector) {
      buffer.putFloat(v);
    }
    return buffer.array();
  }

  static float[] floats(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    float[] vector = new float[bytes.length / 4];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = buffer.getFloat();
    }
    return vector;
  }
}
