package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A vector merge")
class VectorMergeTest {

  private static final int DIMENSION = 24;
  private static IndexResources resources;

  @TempDir
  Path tmp;

  @BeforeAll
  static void resources() {
    resources = IndexResources.create(new VectorIndexConfig(1024, 200, 0, 0, 2));
  }

  @AfterAll
  static void close() {
    resources.close();
  }

  private static List<String> top(VectorIndex index, float[] query, int k) {
    return index.search(query, k, k, Map.of()).stream().map(ScoredChunk::chunkId).toList();
  }

  @Test
  @DisplayName("applies the deletes and replacements made while it was building, and keeps the writes that arrived")
  void writesDuringTheMerge() throws Exception {
    ClusteredVectors data = new ClusteredVectors(3, DIMENSION);
    VectorIndex index = new VectorIndex(tmp.resolve("vectors"), resources);
    List<ChunkRecord> first = data.chunks(0, 1500);
    first.forEach(index::add);
    // the first merge moves the in-heap segment to disk
    VectorIndex.Merge toDisk = index.beginMerge(false);
    assertThat(toDisk).isNotNull();
    toDisk.build();
    index.finishMerge(toDisk);
    assertThat(index.stats().kind()).isEqualTo(VectorIndexStats.Kind.DISK);
    List<ChunkRecord> second = data.chunks(2000, 300);
    second.forEach(index::add);

    VectorIndex.Merge merge = index.beginMerge(false);
    assertThat(merge).isNotNull();
    // while it builds: a delete on disk, a delete in the frozen segment, a replacement of each, a new chunk
    ChunkRecord goneOnDisk = first.get(10);
    ChunkRecord goneFrozen = second.get(20);
    index.deleteDocument(goneOnDisk.documentId());
    index.deleteDocument(goneFrozen.documentId());
    ChunkRecord replacedOnDisk = ClusteredVectors.chunk(30, data.next());
    ChunkRecord replacedFrozen = ClusteredVectors.chunk(2040, data.next());
    index.deleteDocument(replacedOnDisk.documentId());
    index.add(replacedOnDisk);
    index.deleteDocument(replacedFrozen.documentId());
    index.add(replacedFrozen);
    ChunkRecord arrived = ClusteredVectors.chunk(9000, data.next());
    index.add(arrived);
    merge.build();
    index.finishMerge(merge);

    VectorIndexStats stats = index.stats();
    assertThat(stats.vectors()).isEqualTo(1500 + 300 - 2 + 1);
    assertThat(stats.onDisk()).isEqualTo(1500 + 300 - 4);
    assertThat(stats.deleted()).isZero();
    assertThat(stats.merges()).isEqualTo(2);
    assertThat(top(index, goneOnDisk.vector(), 10)).doesNotContain(goneOnDisk.chunkId());
    assertThat(top(index, goneFrozen.vector(), 10)).doesNotContain(goneFrozen.chunkId());
    for (ChunkRecord c : List.of(replacedOnDisk, replacedFrozen, arrived, first.get(500), second.get(100))) {
      assertThat(top(index, c.vector(), 1)).containsExactly(c.chunkId());
    }
    // a replaced chunk's old vector is not found under its id any more
    assertThat(top(index, first.get(30).vector(), 1)).doesNotContain(first.get(30).chunkId());
    index.close();
  }
}
