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

  static KbRepository kbs;
  static DocumentRepository documents;

  @BeforeAll
  static void start(Vertx vertx) {
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
    long kb = await(kbs.create(StorePostgres.tenant(), "docs")).id();
    assertThat(await(documents.replace(kb, document("a"), List.of(chunk("a", 0, 0.5f), chunk("a", 1, 1.5f))))).isEqualTo(1);
    assertThat(await(documents.counts(kb))).isEqualTo(new DocumentRepository.Counts(1, 2, 1));
    assertThat(await(documents.get(kb, "a")).orElseThrow().getJsonArray("chunks")).hasSize(2);
    assertThat(await(documents.allChunks(kb))).extracting(c -> c.embedding()[0]).containsExactly(0.5f, 1.5f);
    assertThat(await(documents.delete(kb, "a"))).contains(2L);
    assertThat(await(documents.delete(kb, "a"))).isEmpty();
    assertThat(await(documents.counts(kb))).isEqualTo(new DocumentRepository.Counts(0, 0, 2));
  }

  @Test
  @DisplayName("sentence vectors are stored with their chunk, read back only for the chunks asked, and replaced with it")
  void sentences() {
    long kb = await(kbs.create(StorePostgres.tenant(), "sentences")).id();
    DocumentRepository.ChunkSentences first = new DocumentRepository.ChunkSentences(0, new int[]{0, 10}, new int[]{9, 20},
      List.of(new float[]{1f, 0f}, new float[]{0f, 1f}));
    DocumentRepository.ChunkSentences second = new DocumentRepository.ChunkSentences(1, new int[]{21}, new int[]{30},
      List.of(new float[]{0.5f, 0.5f}));
    await(documents.replace(kb, document("a"), List.of(chunk("a", 0, 1f), chunk("a", 1, 2f)), List.of(first, second)));

    Map<String, DocumentRepository.ChunkSentences> read = await(documents.sentences(kb, List.of("a#1", "a#7", "bad")));
    assertThat(read).containsOnlyKeys("a#1");
    assertThat(read.get("a#1").starts()).containsExactly(21);
    assertThat(read.get("a#1").ends()).containsExactly(30);
    assertThat(read.get("a#1").vectors().get(0)).containsExactly(0.5f, 0.5f);
    assertThat(await(documents.sentences(kb, List.of("a#0"))).get("a#0").vectors())
      .satisfiesExactly(v -> assertThat(v).containsExactly(1f, 0f), v -> assertThat(v).containsExactly(0f, 1f));

    await(documents.replace(kb, document("a"), List.of(chunk("a", 0, 1f))));
    assertThat(await(documents.sentences(kb, List.of("a#0", "a#1")))).isEmpty();
  }

  @Test
  @DisplayName("a document of one tenant's knowledge base is not found through another tenant's of the same name")
  void tenantScoped() {
    long owner = await(kbs.create(StorePostgres.tenant(), "shared-name")).id();
    long other = await(kbs.create(StorePostgres.tenant(), "shared-name")).id();
    await(documents.replace(owner, document("secret"), List.of(chunk("secret", 0, 1f))));
    assertThat(await(documents.get(other, "secret"))).isEmpty();
    assertThat(await(documents.delete(other, "secret"))).isEmpty();
    assertThat(await(documents.allChunks(other))).isEmpty();
    assertThat(await(documents.get(owner, "secret"))).isPresent();
  }

  @Test
  @DisplayName("an ingest transaction is all or nothing: a failing chunk leaves no document, no chunk and no new version")
  void allOrNothing() {
    long kb = await(kbs.create(StorePostgres.tenant(), "atomic")).id();
    // two chunks with one index: the second insert violates the chunks' primary key
    failsWith(documents.replace(kb, document("a"), List.of(chunk("a", 0, 1f), chunk("a", 0, 2f))), ErrorCode.CONFLICT);
    assertThat(await(documents.get(kb, "a"))).isEmpty();
    assertThat(await(documents.counts(kb))).isEqualTo(new DocumentRepository.Counts(0, 0, 0));

    await(documents.replace(kb, document("b"), List.of(chunk("b", 0, 1f))));
    DocumentRepository.StoredDocument changed = new DocumentRepository.StoredDocument("b", "New", "New text.",
      new JsonObject(), "text/plain");
    failsWith(documents.replace(kb, changed, List.of(chunk("b", 3, 1f), chunk("b", 3, 2f))), ErrorCode.CONFLICT);
    JsonObject kept = await(documents.get(kb, "b")).orElseThrow();
    assertThat(kept.getString("text")).isEqualTo("Text of b.");
    assertThat(kept.getJsonArray("chunks")).hasSize(1);
    assertThat(await(documents.counts(kb))).isEqualTo(new DocumentRepository.Counts(1, 1, 1));
  }
}
