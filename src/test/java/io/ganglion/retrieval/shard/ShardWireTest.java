package io.ganglion.retrieval.shard;

import io.ganglion.retrieval.index.KeywordScoring;
import io.ganglion.retrieval.index.SearchMode;
import io.ganglion.retrieval.index.SearchQuery;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The search query between nodes")
class ShardWireTest {

  @Test
  @DisplayName("a query crosses to another node with its per-ranking depths, document ranking and keyword scoring")
  void searchOptionsTravel() {
    SearchQuery sent = new SearchQuery("aspirin dose", new float[] {0.6f, 0.8f}, SearchMode.HYBRID, 10, 50, 200,
      Map.of("lang", "en"), true, new KeywordScoring(0.9, 0.4, 0.5, 0));

    SearchQuery received = ShardWire.query(ShardWire.query(sent).copy());

    assertThat(received.text()).isEqualTo("aspirin dose");
    assertThat(received.vector()).containsExactly(0.6f, 0.8f);
    assertThat(received.mode()).isEqualTo(SearchMode.HYBRID);
    assertThat(received.topK()).isEqualTo(10);
    assertThat(received.keywordCandidates()).isEqualTo(50);
    assertThat(received.vectorCandidates()).isEqualTo(200);
    assertThat(received.filters()).isEqualTo(Map.of("lang", "en"));
    assertThat(received.byDocument()).isTrue();
    assertThat(received.scoring()).isEqualTo(new KeywordScoring(0.9, 0.4, 0.5, 0));
  }
}
