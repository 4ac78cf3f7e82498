package io.ganglion.retrieval.index;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Replacing the only document of a shard")
class ReplaceOnlyDocumentTest {

  @Test
  @DisplayName("keeps it findable by vector search (the replaced vector joins a graph whose every other node is deleted)")
  void replacedVectorIsFound() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      float[] v = unit(new Random(7), 384);
      ChunkRecord record = new ChunkRecord("only", "only#0", null, "the only text", null, 0, 13, Map.of(), v);
      KnowledgeBaseIndex index = KnowledgeBaseIndex.rebuild(4, List.of(record));
      index.upsert("only", List.of(record));
      index.upsert("only", List.of(record));

      List<Hit> hits = index.search(SearchQuery.of(null, v, SearchMode.VECTOR, 5), new ReciprocalRankFusion(60), pool).get();

      assertThat(hits).extracting(Hit::documentId).containsExactly("only");
      assertThat(hits.get(0).vectorScore()).isGreaterThan(0.99);
    } finally {
      pool.shutdownNow();
    }
  }

  static float[] unit(Random random, int dims) {
    float[] v = new float[dims];
    double norm = 0;
    for (int i = 0; i < dims; i++) {
      v[i] = (float) random.nextGaussian();
      norm += v[i] * v[i];
    }
    for (int i = 0; i < dims; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }
}
