package io.ganglion.inference;

import io.ganglion.config.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ganglion.inference.onnx.Device;
import io.ganglion.inference.onnx.KnownModels;
import io.ganglion.inference.onnx.ModelKind;
import io.ganglion.inference.onnx.ModelSource;
import io.ganglion.inference.onnx.Pooling;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("InferenceConfig")
class InferenceConfigTest {

  @Test
  @DisplayName("defaults to bge-small-en-v1.5@1 on CPU, one worker with every core, and the measured batch and lane settings")
  void defaults() {
    InferenceConfig config = InferenceConfig.from(null);

    assertThat(config.device()).isEqualTo(Device.CPU);
    assertThat(config.threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(config.maxBatch()).isEqualTo(InferenceConfig.DEFAULT_MAX_BATCH);
    assertThat(config.defaultModel()).isEqualTo(KnownModels.BGE_SMALL_EN_V15 + "@1");
    assertThat(config.workers()).isEqualTo(1);
    assertThat(config.interactiveWorkers()).as("one worker kept for queries beside bulk batches").isEqualTo(1);
    assertThat(config.models()).singleElement().satisfies(m -> {
      assertThat(m.pooling()).isEqualTo(Pooling.CLS);
      assertThat(m.dims()).isEqualTo(384);
      assertThat(m.queryPrefix()).startsWith("Represent this sentence");
    });
    assertThat(config.batchPolicy().interactiveCapacity()).isEqualTo(InferenceConfig.DEFAULT_QUEUE_CAPACITY);
    assertThat(config.batchPolicy().bulkBatchTokens()).isEqualTo(InferenceConfig.DEFAULT_BULK_BATCH_TOKENS);
    assertThat(config.batchPolicy().bulkMinShare()).isEqualTo(InferenceConfig.DEFAULT_BULK_MIN_SHARE);
  }

  @Test
  @DisplayName("reads numbers given as strings, as environment variables arrive")
  void numbersAsStrings() {
    InferenceConfig config = InferenceConfig.from(new JsonObject().put("maxBatch", "8").put("maxWaitMs", 2)
      .put("device", "CUDA").put("threads", "1"));

    assertThat(config.maxBatch()).isEqualTo(8);
    assertThat(config.maxWaitMs()).isEqualTo(2);
    assertThat(config.device()).isEqualTo(Device.CUDA);
    assertThat(config.threads()).isEqualTo(1);
  }

  @Test
  @DisplayName("names the key of a value out of range or malformed")
  void namesBadKeys() {
    assertThatThrownBy(() -> InferenceConfig.from(new JsonObject().put("maxBatch", 0)))
      .isInstanceOf(ConfigException.class).hasMessageStartingWith("inference.maxBatch: must be between 1 and 1024");
    assertThatThrownBy(() -> InferenceConfig.from(new JsonObject().put("maxWaitMs", "soon")))
      .isInstanceOf(ConfigException.class).hasMessageStartingWith("inference.maxWaitMs:");
    assertThatThrownBy(() -> InferenceConfig.from(new JsonObject().put("device", "tpu")))
      .isInstanceOf(ConfigException.class).extracting(e -> ((ConfigException) e).key()).isEqualTo("inference.device");
    assertThatThrownBy(() -> InferenceConfig.from(new JsonObject().put("queueCapacity", 4).put("maxBatch", 8)))
      .hasMessageStartingWith("inference.queueCapacity:");
    assertThatThrownBy(() -> InferenceConfig.from(new JsonObject().put("defaultModel", "gpt-9")))
      .hasMessageStartingWith("inference.defaultModel:");
    assertThatThrownBy(() -> InferenceConfig.from(new JsonObject().put("bulkMinShare", 1.5)))
      .hasMessageStartingWith("inference.bulkMinShare:");
    assertThatThrownBy(() -> InferenceConfig.from(new JsonObject().put("bulkBatchTokens", 1 << 20)))
      .hasMessageStartingWith("inference.bulkBatchTokens:");
    assertThatThrownBy(() -> InferenceConfig.from(new JsonObject().put("interactiveWorkers", -1)))
      .hasMessageStartingWith("inference.interactiveWorkers: must be between 0 and 64");
    int cores = Runtime.getRuntime().availableProcessors();
    assertThatThrownBy(() -> InferenceConfig.from(new JsonObject().put("workers", 2).put("threads", cores)))
      .hasMessageStartingWith("inference.threads:");
  }

  @Test
  @DisplayName("divides the cores among the workers: intra-op threads x workers stay within them")
  void threadsPerWorker() {
    int cores = Runtime.getRuntime().availableProcessors();
    InferenceConfig two = InferenceConfig.from(new JsonObject().put("workers", 2));
    assertThat(two.threads()).isEqualTo(Math.max(1, cores / 2));
    assertThat((long) two.threads() * two.workers()).isLessThanOrEqualTo(Math.max(cores, 2));
  }

  @Test
  @DisplayName("names the model entry and field that is wrong")
  void namesBadModels() {
    JsonObject unknownWithoutPath = new JsonObject().put("models", new JsonArray()
      .add(new JsonObject().put("name", "bge-small-en-v1.5"))
      .add(new JsonObject().put("name", "my-reranker").put("kind", "reranker")));
    assertThatThrownBy(() -> InferenceConfig.from(unknownWithoutPath))
      .hasMessageStartingWith("inference.models[1].path: is required");

    JsonObject badPooling = new JsonObject().put("models", new JsonArray()
      .add(new JsonObject().put("name", "all-minilm-l6-v2").put("pooling", "max")));
    assertThatThrownBy(() -> InferenceConfig.from(badPooling)).hasMessageStartingWith("inference.models[0].pooling:");

    JsonObject missingPath = new JsonObject().put("models", new JsonArray()
      .add(new JsonObject().put("name", "x").put("path", "/nonexistent/model")));
    assertThatThrownBy(() -> InferenceConfig.from(missingPath)).hasMessageStartingWith("inference.models[0].path:");
  }

  @Test
  @DisplayName("loads an unknown model by path and adds the default embedding model when not listed")
  void modelByPath(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("model.onnx"), "graph");
    Files.writeString(dir.resolve("tokenizer.json"), "{}");
    JsonObject json = new JsonObject().put("models", new JsonArray().add(new JsonObject()
      .put("name", "ms-marco-minilm").put("path", dir.toString()).put("kind", "reranker")));

    InferenceConfig config = InferenceConfig.from(json);

    assertThat(config.models()).extracting(m -> m.name())
      .containsExactly(KnownModels.BGE_SMALL_EN_V15, "ms-marco-minilm");
    assertThat(config.models().get(1).kind()).isEqualTo(ModelKind.RERANKER);
    assertThat(config.models().get(1).source())
      .isEqualTo(new ModelSource.OnDisk(dir.resolve("model.onnx"), dir.resolve("tokenizer.json")));
  }

  @Test
  @DisplayName("refuses a default model that is not an embedding model")
  void defaultMustEmbed(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("model.onnx"), "graph");
    Files.writeString(dir.resolve("tokenizer.json"), "{}");
    JsonObject json = new JsonObject().put("defaultModel", "rr").put("models", new JsonArray()
      .add(new JsonObject().put("name", "rr").put("path", dir.toString()).put("kind", "reranker")));

    assertThatThrownBy(() -> InferenceConfig.from(json)).hasMessageStartingWith("inference.defaultModel:");
  }
}
