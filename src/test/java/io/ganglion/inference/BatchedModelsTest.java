package io.ganglion.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ganglion.inference.onnx.Embedding;
import io.ganglion.inference.onnx.Similarity;
import io.ganglion.inference.onnx.TextKind;
import io.ganglion.inference.onnx.UnknownModelException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("BatchedModels with the default model")
class BatchedModelsTest {

  private static final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private static BatchedModels models;

  @BeforeAll
  static void start() {
    models = BatchedModels.start(InferenceConfig.from(new JsonObject().put("maxBatch", 8).put("maxWaitMs", 20)
      .put("threads", 2)), meters);
  }

  @AfterAll
  static void stop() {
    models.close();
  }

  @Test
  @DisplayName("gives concurrent callers, batched together, the vectors each would get alone")
  void concurrentCallersMatchUnbatched() throws Exception {
    Random random = new Random(11);
    String[] words = {"vector", "search", "cluster", "token", "a", "the", "fast", "server", "query", "model"};
    List<List<String>> requests = new ArrayList<>();
    for (int r = 0; r < 6; r++) {
      List<String> texts = new ArrayList<>();
      for (int i = 0, n = 1 + random.nextInt(5); i < n; i++) {
        StringBuilder sb = new StringBuilder();
        for (int w = 0, len = 2 + random.nextInt(30); w < len; w++) {
          sb.append(words[random.nextInt(words.length)]).append(' ');
        }
        texts.add(sb.toString().trim());
      }
      requests.add(texts);
    }

    List<CompletableFuture<List<Embedding>>> futures = new ArrayList<>();
    for (List<String> texts : requests) {
      futures.add(models.embed(null, texts, TextKind.PASSAGE));
    }

    var embedder = models.registry().embedder(null);
    for (int r = 0; r < requests.size(); r++) {
      List<Embedding> batched = futures.get(r).get(30, TimeUnit.SECONDS);
      assertThat(batched).hasSameSizeAs(requests.get(r));
      for (int i = 0; i < batched.size(); i++) {
        Embedding alone = embedder.embed(List.of(requests.get(r).get(i)), TextKind.PASSAGE).get(0);
        assertThat(Similarity.cosine(batched.get(i).vector(), alone.vector())).isGreaterThan(0.99);
      }
    }
    assertThat(meters.get("ganglion.inference.batch.size").tag("model", "bge-small-en-v1.5").summary().max())
      .isGreaterThan(1);
  }

  @Test
  @DisplayName("fails a request for an unknown model without queueing it")
  void unknownModel() {
    assertThatThrownBy(() -> models.embed("nope", List.of("x"), TextKind.QUERY).join())
      .hasCauseInstanceOf(UnknownModelException.class);
  }
}
