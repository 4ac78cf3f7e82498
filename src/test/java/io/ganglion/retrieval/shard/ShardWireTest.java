package io.ganglion.retrieval.shard;

import io.ganglion.retrieval.index.KeywordScoring;
import io.ganglion.retrieval.index.SearchMode;
import io.ganglion.retrieval.index.SearchQuery;
import io.ganglion.retrieval.index.StoredChunk;
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

  @Test
  @DisplayName("a chunk's fields cross to the coordinating node with the injection verdict recorded at ingestion; "
    + "a node of an earlier release sends none")
  void injectionMarkTravels() {
    String mark = "{\"injection\":true,\"version\":\"v/1\"}";
    Map<String, StoredChunk> sent = Map.of("d#0", new StoredChunk("d", "d#0", "T", "text", 0, 4, mark),
      "e#0", new StoredChunk("e", "e#0", null, "other", 0, 5));

    Map<String, StoredChunk> received = ShardWire.stored(ShardWire.stored(sent).copy());

    assertThat(received).isEqualTo(sent);
    io.vertx.core.json.JsonObject older = new io.vertx.core.json.JsonObject().put("d#0",
      new io.vertx.core.json.JsonArray().add("d").add("T").add("text").add(0).add(4));
    assertThat(ShardWire.stored(older).get("d#0").injection()).isNull();
  }
}
