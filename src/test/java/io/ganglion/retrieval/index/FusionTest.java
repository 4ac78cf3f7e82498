package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ganglion.retrieval.RetrievalConfig;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FusionTest {

  private final List<ScoredChunk> keyword = List.of(
    new ScoredChunk("a", 12.0), new ScoredChunk("b", 8.0), new ScoredChunk("c", 2.0));
  private final List<ScoredChunk> vector = List.of(
    new ScoredChunk("c", 0.9), new ScoredChunk("d", 0.7), new ScoredChunk("a", 0.5));

  @Test
  @DisplayName("Reciprocal-rank fusion sums 1/(k + rank) over the rankings a chunk appears in")
  void reciprocalRank() {
    List<FusedChunk> fused = new ReciprocalRankFusion(60).fuse(keyword, vector);

    assertThat(fused).extracting(FusedChunk::chunkId).containsExactly("a", "c", "b", "d");
    assertThat(fused.get(0).score()).isCloseTo(1.0 / 61 + 1.0 / 63, within(1e-12));
    assertThat(fused.get(1).score()).isCloseTo(1.0 / 63 + 1.0 / 61, within(1e-12));
    assertThat(fused.get(2).score()).isCloseTo(1.0 / 62, within(1e-12));
    assertThat(fused.get(3).score()).isCloseTo(1.0 / 62, within(1e-12));
  }

  @Test
  @DisplayName("Fusion keeps each ranking's raw score, and null where the chunk was missing")
  void rawScoresTravel() {
    List<FusedChunk> fused = new ReciprocalRankFusion(60).fuse(keyword, vector);

    assertThat(fused.get(0)).isEqualTo(new FusedChunk("a", 1.0 / 61 + 1.0 / 63, 12.0, 0.5));
    assertThat(fused.get(2).vectorScore()).isNull();
    assertThat(fused.get(3).keywordScore()).isNull();
  }

  @Test
  @DisplayName("Weighted fusion min-max normalises each ranking, then weighs vector by w and keyword by 1 - w")
  void weighted() {
    List<FusedChunk> fused = new WeightedScoreFusion(0.25).fuse(keyword, vector);

    // keyword: a=1, b=0.6, c=0; vector: c=1, d=0.5, a=0
    assertThat(fused).extracting(FusedChunk::chunkId).containsExactly("a", "b", "c", "d");
    assertThat(fused.stream().mapToDouble(FusedChunk::score).toArray())
      .containsExactly(new double[] {0.75, 0.45, 0.25, 0.125}, within(1e-12));
  }

  @Test
  @DisplayName("A ranking whose scores are all equal normalises to 1, not to a division by zero")
  void flatRanking() {
    List<FusedChunk> fused = new WeightedScoreFusion(0.5).fuse(
      List.of(new ScoredChunk("x", 3.0), new ScoredChunk("y", 3.0)), List.of());

    assertThat(fused).extracting(FusedChunk::score).containsExactly(0.5, 0.5);
    assertThat(fused).extracting(FusedChunk::chunkId).containsExactly("x", "y");
  }

  @Test
  @DisplayName("The configured fusion is built from the config record")
  void fromConfig() {
    assertThat(RetrievalConfig.from(new JsonObject().put("fusion", "rrf").put("rrfK", 10)).hybridFusion())
      .isEqualTo(new ReciprocalRankFusion(10));
    assertThat(RetrievalConfig.from(new JsonObject().put("fusion", "weighted").put("vectorWeight", 0.3)).hybridFusion())
      .isEqualTo(new WeightedScoreFusion(0.3));
  }
}
