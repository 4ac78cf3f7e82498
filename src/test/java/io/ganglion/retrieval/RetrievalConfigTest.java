package io.ganglion.retrieval;

import io.ganglion.config.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RetrievalConfigTest {

  @Test
  @DisplayName("An empty section yields the defaults")
  void defaults() {
    assertThat(RetrievalConfig.from(new JsonObject())).isEqualTo(RetrievalConfig.DEFAULTS);
    assertThat(RetrievalConfig.from(null)).isEqualTo(RetrievalConfig.DEFAULTS);
  }

  @Test
  @DisplayName("Given keys override the defaults, fusion case-insensitively")
  void overrides() {
    RetrievalConfig c = RetrievalConfig.from(new JsonObject()
      .put("shards", 8).put("fusion", "Weighted").put("vectorWeight", 0.7).put("maxFileBytes", 1024));

    assertThat(c.shards()).isEqualTo(8);
    assertThat(c.fusion()).isEqualTo(RetrievalConfig.Fusion.WEIGHTED);
    assertThat(c.vectorWeight()).isEqualTo(0.7);
    assertThat(c.maxFileBytes()).isEqualTo(1024);
    assertThat(c.chunkTokens()).isEqualTo(RetrievalConfig.DEFAULTS.chunkTokens());
  }

  @Test
  @DisplayName("Bad values fail with the dotted key named first")
  void badValuesNameTheKey() {
    assertThatThrownBy(() -> RetrievalConfig.from(new JsonObject().put("shards", 0)))
      .isInstanceOf(ConfigException.class).hasMessageStartingWith("retrieval.shards:")
      .extracting(e -> ((ConfigException) e).key()).isEqualTo("retrieval.shards");
    assertThatThrownBy(() -> RetrievalConfig.from(new JsonObject().put("fusion", "max")))
      .hasMessageStartingWith("retrieval.fusion:");
    assertThatThrownBy(() -> RetrievalConfig.from(new JsonObject().put("chunkTokens", 64).put("overlapTokens", 64)))
      .hasMessageStartingWith("retrieval.overlapTokens:");
    assertThatThrownBy(() -> RetrievalConfig.from(new JsonObject().put("vectorWeight", 1.5)))
      .hasMessageStartingWith("retrieval.vectorWeight:");
    assertThatThrownBy(() -> RetrievalConfig.from(new JsonObject().put("workers", "four")))
      .hasMessageStartingWith("retrieval.workers:");
    assertThatThrownBy(() -> RetrievalConfig.from(new JsonObject().put("candidates", 2.5)))
      .hasMessageStartingWith("retrieval.candidates:");
  }

  @Test
  @DisplayName("The vectors and capacity sections override their defaults and name a bad nested key in full")
  void vectorsAndCapacity() {
    RetrievalConfig c = RetrievalConfig.from(new JsonObject()
      .put("vectors", new JsonObject().put("diskAbove", 50_000).put("pqSubspaces", 96))
      .put("capacity", new JsonObject().put("maxHeapFraction", 0.9)));

    assertThat(c.vectors().diskAbove()).isEqualTo(50_000);
    assertThat(c.vectors().pqSubspaces()).isEqualTo(96);
    assertThat(c.vectors().mergeAbove()).isEqualTo(RetrievalConfig.DEFAULTS.vectors().mergeAbove());
    assertThat(c.capacity().maxHeapFraction()).isEqualTo(0.9);
    assertThat(c.capacity().minFreeDiskMb()).isEqualTo(RetrievalConfig.Capacity.DEFAULTS.minFreeDiskMb());
    assertThatThrownBy(() -> RetrievalConfig.from(new JsonObject().put("vectors", new JsonObject().put("diskAbove", 10))))
      .isInstanceOf(ConfigException.class).hasMessageStartingWith("retrieval.vectors.diskAbove:");
    assertThatThrownBy(() -> RetrievalConfig.from(new JsonObject().put("vectors", new JsonObject().put("mergeThreads", 0))))
      .hasMessageStartingWith("retrieval.vectors.mergeThreads:");
    assertThatThrownBy(() -> RetrievalConfig.from(new JsonObject().put("capacity", new JsonObject().put("maxHeapFraction", 2))))
      .hasMessageStartingWith("retrieval.capacity.maxHeapFraction:");
    assertThatThrownBy(() -> RetrievalConfig.from(new JsonObject().put("vectors", "big")))
      .hasMessageStartingWith("retrieval.vectors:");
  }
}
