package io.ganglion.store;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static io.ganglion.store.StorePostgres.await;
import static io.ganglion.store.StorePostgres.failsWith;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("DocumentRepository on a real PostgreSQL")
class DocumentRepositoryIT {

  static Vertx vertx;
  static KbRepository kbs;
  static DocumentRepository documents;

  @BeforeAll
  static void start(Vertx shared) {
    vertx = shared;
    kbs = new KbRepository(StorePostgres.pool(vertx));
    documents = new DocumentRepository(StorePostgres.pool(vertx));
  }

  static DocumentRepository.StoredDocument document(String id) {
    return new DocumentRepository.StoredDocument(id, "Title " + id, "Text of " + id + ".", new JsonObject(), "text/plain");
  }

  static DocumentRepository.StoredChunk chunk(String documentId, int index, float value) {
    return new DocumentRepository.StoredChunk(documentId, index, null, "chunk " + index, "chunk " + index, 0, 4,
      new JsonObject(), new float[]{value, -value, 0.25f});
  }

  @Test
  @DisplayName("a document is stored with its chunks and embeddings, and each change bumps the knowledge base's version")
  void replaceAndDelete() {
    long kb = await(kbs.create(StorePostgres.tenant(), "docs", 2)).id();
    assertThat(await(documents.replace(kb, 0, document("a"), List.of(chunk("a", 0, 0.5f), chunk("a", 1, 1.5f))))).isEqualTo(1);
    assertThat(await(documents.counts(kb))).isEqualTo(new DocumentRepository.Counts(1, 2, 1));
    assertThat(await(documents.get(kb, "a")).orElseThrow().getJsonArray("chunks")).hasSize(2);
    assertThat(await(documents.shardChunks(kb, 0))).extracting(c -> c.embedding()[0]).containsExactly(0.5f, 1.5f);
    assertThat(await(documents.delete(kb, 0, "a"))).contains(2L);
    assertThat(await(documents.delete(kb, 0, "a"))).isEmpty();
    assertThat(await(documents.counts(kb))).isEqualTo(new DocumentRepository.Counts(0, 0, 2));
  }

  @Test
  @DisplayName("sentence vectors are stored with their chunk, read back only for the chunks asked, and replaced with it")
  void sentences() {
    long kb = await(kbs.create(StorePostgres.tenant(), "sentences", 1)).id();
    DocumentRepository.ChunkSentences first = new DocumentRepository.ChunkSentences(0, new int[]{0, 10}, new int[]{9, 20},
      List.of(new float[]{1f, 0f}, new float[]{0f, 1f}));
    DocumentRepository.ChunkSentences second = new DocumentRepository.ChunkSentences(1, new int[]{21}, new int[]{30},
      List.of(new float[]{0.5f, 0.5f}));
    await(documents.replace(kb, 0, document("a"), List.of(chunk("a", 0, 1f), chunk("a", 1, 2f)), List.of(first, second)));

    Map<String, DocumentRepository.ChunkSentences> read = await(documents.sentences(kb, List.of("a#1", "a#7", "bad")));
    assertThat(read).containsOnlyKeys("a#1");
    assertThat(read.get("a#1").starts()).containsExactly(21);
    assertThat(read.get("a#1").ends()).containsExactly(30);
    assertThat(read.get("a#1").vectors().get(0)).containsExactly(0.5f, 0.5f);
    assertThat(await(documents.sentences(kb, List.of("a#0"))).get("a#0").vectors())
      .satisfiesExactly(v -> assertThat(v).containsExactly(1f, 0f), v -> assertThat(v).containsExactly(0f, 1f));

    await(documents.replace(kb, 0, document("a"), List.of(chunk("a", 0, 1f))));
    assertThat(await(documents.sentences(kb, List.of("a#0", "a#1")))).isEmpty();
  }

  @Test
  @DisplayName("a document of one tenant's knowledge base is not found through another tenant's of the same name")
  void tenantScoped() {
    long owner = await(kbs.create(StorePostgres.tenant(), "shared-name", 2)).id();
    long other = await(kbs.create(StorePostgres.tenant(), "shared-name", 2)).id();
    await(documents.replace(owner, 0, document("secret"), List.of(chunk("secret", 0, 1f))));
    assertThat(await(documents.get(other, "secret"))).isEmpty();
    assertThat(await(documents.delete(other, 0, "secret"))).isEmpty();
    assertThat(await(documents.shardChunks(other, 0))).isEmpty();
    assertThat(await(documents.get(owner, "secret"))).isPresent();
  }

  @Test
  @DisplayName("an ingest transaction is all or nothing: a failing chunk leaves no document, no chunk and no new version")
  void allOrNothing() {
    long kb = await(kbs.create(StorePostgres.tenant(), "atomic", 2)).id();
    // two chunks with one index: the second insert violates the chunks' primary key
    failsWith(documents.replace(kb, 0, document("a"), List.of(chunk("a", 0, 1f), chunk("a", 0, 2f))), ErrorCode.CONFLICT);
    assertThat(await(documents.get(kb, "a"))).isEmpty();
    assertThat(await(documents.counts(kb))).isEqualTo(new DocumentRepository.Counts(0, 0, 0));

    await(documents.replace(kb, 0, document("b"), List.of(chunk("b", 0, 1f))));
    DocumentRepository.StoredDocument changed = new DocumentRepository.StoredDocument("b", "New", "New text.",
      new JsonObject(), "text/plain");
    failsWith(documents.replace(kb, 0, changed, List.of(chunk("b", 3, 1f), chunk("b", 3, 2f))), ErrorCode.CONFLICT);
    JsonObject kept = await(documents.get(kb, "b")).orElseThrow();
    assertThat(kept.getString("text")).isEqualTo("Text of b.");
    assertThat(kept.getJsonArray("chunks")).hasSize(1);
    assertThat(await(documents.counts(kb))).isEqualTo(new DocumentRepository.Counts(1, 1, 1));
  }

  @Test
  @DisplayName("every change is logged with its version and shard, in the same transaction; a shard's copy reads only its own")
  void changeLog() {
    long kb = await(kbs.create(StorePostgres.tenant(), "logged", 2)).id();
    ChangeLogRepository log = new ChangeLogRepository(StorePostgres.pool(vertx));
    await(documents.replace(kb, 0, document("a"), List.of(chunk("a", 0, 1f))));
    await(documents.replace(kb, 1, document("b"), List.of(chunk("b", 0, 2f))));
    await(documents.delete(kb, 0, "a"));
    // a failed transaction logs nothing
    failsWith(documents.replace(kb, 1, document("c"), List.of(chunk("c", 0, 1f), chunk("c", 0, 2f))), ErrorCode.CONFLICT);

    ChangeLogRepository.Changes shard0 = await(log.since(kb, 0, 0));
    assertThat(shard0.exists()).isTrue();
    assertThat(shard0.kbVersion()).isEqualTo(3);
    assertThat(shard0.changes()).containsExactly(new ChangeLogRepository.Change(1, "a", false),
      new ChangeLogRepository.Change(3, "a", true));
    assertThat(await(log.since(kb, 1, 0)).changes()).containsExactly(new ChangeLogRepository.Change(2, "b", false));
    assertThat(await(log.since(kb, 0, 1)).changes()).containsExactly(new ChangeLogRepository.Change(3, "a", true));
    assertThat(await(documents.shardChunks(kb, 1))).extracting(DocumentRepository.StoredChunk::documentId).containsExactly("b");
    assertThat(await(documents.documentChunks(kb, List.of("a", "b")))).extracting(DocumentRepository.StoredChunk::documentId)
      .containsExactly("b");
    assertThat(await(log.since(-1, 0, 0)).exists()).isFalse();
  }

  @Test
  @DisplayName("pruning keeps the last versions of the log and says where it now starts, so older copies rebuild")
  void pruning() {
    long kb = await(kbs.create(StorePostgres.tenant(), "pruned", 1)).id();
    ChangeLogRepository log = new ChangeLogRepository(StorePostgres.pool(vertx));
    for (String id : List.of("a", "b", "c", "d", "e")) {
      await(documents.replace(kb, 0, document(id), List.of(chunk(id, 0, 1f))));
    }
    assertThat(await(log.prune(kb, 2))).isEqualTo(3);
    ChangeLogRepository.Changes changes = await(log.since(kb, 0, 0));
    assertThat(changes.changesFrom()).isEqualTo(3);
    assertThat(changes.reaches(2)).isFalse();
    assertThat(changes.reaches(3)).isTrue();
    assertThat(changes.changes()).extracting(ChangeLogRepository.Change::version).containsExactly(4L, 5L);
  }

  @Test
  @DisplayName("documents stored before shards were recorded get their shard filled in, once")
  void assignsLegacyShards() {
    long kb = await(kbs.create(StorePostgres.tenant(), "legacy", 4)).id();
    await(documents.replace(kb, 0, document("x"), List.of(chunk("x", 0, 1f))));
    await(StorePostgres.pool(vertx).query("update documents set shard = null where kb_id = " + kb).execute());
    assertThat(await(documents.assignShards(kb, id -> 3))).isEqualTo(1);
    assertThat(await(documents.assignShards(kb, id -> 3))).isZero();
    assertThat(await(documents.shardChunks(kb, 3))).hasSize(1);
  }
}
