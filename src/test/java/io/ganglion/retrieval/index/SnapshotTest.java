package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotTest {

  private static final ExecutorService POOL = Executors.newFixedThreadPool(2);
  private static final Fusion RRF = new ReciprocalRankFusion(60);

  @TempDir
  Path tmp;

  @AfterAll
  static void stopPool() {
    POOL.shutdownNow();
  }

  private static List<Hit> search(KnowledgeBaseIndex index, SearchQuery q) {
    return index.search(q, RRF, POOL).join();
  }

  private static List<SearchQuery> queries(Corpus corpus) {
    return List.of(
      SearchQuery.of("retry budget shard", null, SearchMode.KEYWORD, 10),
      SearchQuery.of(null, corpus.near(1), SearchMode.VECTOR, 10),
      SearchQuery.of("vector graph", corpus.near(2), SearchMode.HYBRID, 10),
      new SearchQuery("server", corpus.near(0), SearchMode.HYBRID, 10, 50, Map.of("topic", "t3")));
  }

  @Test
  @DisplayName("A loaded snapshot answers every mode exactly as the index it was taken from, deletions included")
  void roundTrip() throws Exception {
    Corpus corpus = new Corpus(5, 4);
    Path dir = tmp.resolve("kb-1");
    try (KnowledgeBaseIndex original = KnowledgeBaseIndex.rebuild(3, corpus.chunks(200, 2))) {
      original.delete("doc-7");
      original.delete("doc-8");
      original.snapshot(dir);

      try (KnowledgeBaseIndex loaded = KnowledgeBaseIndex.load(dir)) {
        assertThat(loaded.shardCount()).isEqualTo(3);
        assertThat(loaded.stats()).isEqualTo(original.stats());
        for (SearchQuery q : queries(corpus)) {
          assertThat(search(loaded, q)).as(q.mode() + " " + q.text()).isEqualTo(search(original, q));
        }
        assertThat(search(loaded, SearchQuery.of(null, corpus.near(3), SearchMode.VECTOR, 400)))
          .hasSize(396).noneMatch(h -> h.documentId().equals("doc-7") || h.documentId().equals("doc-8"));
      }
    }
  }

  @Test
  @DisplayName("A loaded snapshot keeps growing: new chunks are found by vector and keyword search")
  void loadedIndexAcceptsWrites() throws Exception {
    Corpus corpus = new Corpus(6, 4);
    Path dir = tmp.resolve("kb-2");
    try (KnowledgeBaseIndex original = KnowledgeBaseIndex.rebuild(2, corpus.chunks(100, 2))) {
      original.snapshot(dir);
    }
    try (KnowledgeBaseIndex loaded = KnowledgeBaseIndex.load(dir)) {
      ChunkRecord added = Corpus.record("late", "late#0", "zebra crossing", corpus.near(2), Map.of());
      loaded.upsert("late", List.of(added));

      assertThat(search(loaded, SearchQuery.of(null, added.vector(), SearchMode.VECTOR, 1)).getFirst().chunkId())
        .isEqualTo("late#0");
      assertThat(search(loaded, SearchQuery.of("zebra", null, SearchMode.KEYWORD, 1)).getFirst().chunkId())
        .isEqualTo("late#0");
      assertThat(loaded.stats().chunks()).isEqualTo(201);
    }
  }

  @Test
  @DisplayName("Snapshotting again replaces the previous snapshot whole, and an empty index round-trips")
  void replaceAndEmpty() throws Exception {
    Path dir = tmp.resolve("kb-3");
    try (KnowledgeBaseIndex empty = KnowledgeBaseIndex.create(2)) {
      empty.snapshot(dir);
      empty.snapshot(dir);
    }
    try (KnowledgeBaseIndex loaded = KnowledgeBaseIndex.load(dir)) {
      assertThat(loaded.stats()).isEqualTo(new IndexStats(2, 0, 0, 0));
      assertThat(search(loaded, SearchQuery.of("anything", new float[] {1, 0}, SearchMode.HYBRID, 5))).isEmpty();
    }
    try (var files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("kb-3");
    }
  }

  @Test
  @DisplayName("A snapshot with a file cut short, a damaged byte, a missing file or no manifest fails to load, the cue to rebuild")
  void damagedSnapshots() throws Exception {
    Corpus corpus = new Corpus(7, 4);
    Path dir = tmp.resolve("kb-5");
    try (KnowledgeBaseIndex original = KnowledgeBaseIndex.rebuild(2, corpus.chunks(120, 2))) {
      original.snapshot(dir);
    }
    Path vectors;
    try (var files = Files.walk(dir)) {
      vectors = files.filter(p -> p.getFileName().toString().equals("vectors.bin")).findFirst().orElseThrow();
    }
    byte[] intact = Files.readAllBytes(vectors);

    Files.write(vectors, java.util.Arrays.copyOf(intact, intact.length / 2)); // a write cut short
    assertThatThrownBy(() -> KnowledgeBaseIndex.load(dir)).isInstanceOf(IOException.class).hasMessageContaining("bytes");

    byte[] flipped = intact.clone();
    flipped[flipped.length - 3] ^= 0x10; // same size, one bit changed inside a vector
    Files.write(vectors, flipped);
    assertThatThrownBy(() -> KnowledgeBaseIndex.load(dir)).isInstanceOf(IOException.class).hasMessageContaining("damaged");

    Files.delete(vectors);
    assertThatThrownBy(() -> KnowledgeBaseIndex.load(dir)).isInstanceOf(IOException.class).hasMessageContaining("missing");

    Files.write(vectors, intact);
    try (KnowledgeBaseIndex loaded = KnowledgeBaseIndex.load(dir)) {
      assertThat(loaded.stats().chunks()).isEqualTo(240);
    }
    Files.delete(dir.resolve("manifest.json")); // died before the completion marker was written
    assertThatThrownBy(() -> KnowledgeBaseIndex.load(dir)).isInstanceOf(IOException.class);
  }

  @Test
  @DisplayName("A snapshot written in another format version fails to load, the cue to rebuild from PostgreSQL")
  void otherFormatVersion() throws Exception {
    Path dir = tmp.resolve("kb-format");
    try (KnowledgeBaseIndex original = KnowledgeBaseIndex.rebuild(1, new Corpus(8, 4).chunks(20, 1))) {
      original.snapshot(dir);
    }
    Path manifest = dir.resolve("manifest.json");
    io.vertx.core.json.JsonObject written = new io.vertx.core.json.JsonObject(Files.readString(manifest));
    try (KnowledgeBaseIndex loaded = KnowledgeBaseIndex.load(dir)) {
      assertThat(loaded.stats().chunks()).isEqualTo(20);
    }
    // what a newer (or older) release would have written: every file intact, the format number different
    Files.writeString(manifest, written.copy().put("format", written.getInteger("format") + 1).encode());
    assertThatThrownBy(() -> KnowledgeBaseIndex.load(dir)).isInstanceOf(IOException.class)
      .hasMessageContaining("unknown snapshot format");
  }

  @Test
  @DisplayName("Partial copies a killed process left beside a snapshot are removed by the next snapshot")
  void leftoversRemoved() throws Exception {
    Path dir = tmp.resolve("kb-6");
    Files.createDirectories(tmp.resolve("kb-6.new-123/shard-0"));
    Files.writeString(tmp.resolve("kb-6.new-123/shard-0/vectors.bin"), "half");
    Files.createDirectories(tmp.resolve("kb-6.old-456"));
    try (KnowledgeBaseIndex index = KnowledgeBaseIndex.create(1)) {
      index.snapshot(dir);
    }
    try (var files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("kb-6");
    }
  }

  @Test
  @DisplayName("A directory without a snapshot fails to load with an IOException, the cue to rebuild")
  void missingSnapshot() {
    assertThatThrownBy(() -> KnowledgeBaseIndex.load(tmp.resolve("nothing"))).isInstanceOf(IOException.class);
  }

  @Test
  @DisplayName("Rebuilding from stored records, embeddings as given, answers like the index built incrementally")
  void rebuildFromRecords() throws Exception {
    Corpus corpus = new Corpus(9, 4);
    List<ChunkRecord> records = corpus.chunks(120, 2);
    try (KnowledgeBaseIndex incremental = KnowledgeBaseIndex.create(3);
         KnowledgeBaseIndex rebuilt = KnowledgeBaseIndex.rebuild(3, records.reversed())) {
      for (int d = 0; d < 120; d++) {
        incremental.upsert("doc-" + d, records.subList(2 * d, 2 * d + 2));
      }
      assertThat(rebuilt.stats()).isEqualTo(incremental.stats());
      SearchQuery keyword = SearchQuery.of("retry budget shard", null, SearchMode.KEYWORD, 10);
      assertThat(search(rebuilt, keyword)).isEqualTo(search(incremental, keyword));
      for (ChunkRecord r : records.subList(0, 20)) {
        assertThat(search(rebuilt, SearchQuery.of(null, r.vector(), SearchMode.VECTOR, 1)).getFirst().chunkId())
          .isEqualTo(r.chunkId());
      }
    }
  }
}
