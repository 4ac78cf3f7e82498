package io.ganglion.inference.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.ganglion.LogCapture;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DJL's ONNX Runtime engine")
class EngineLoaderTest {

  static final List<String> TEXTS = List.of("Event loops never block.", "Workers run blocking code in micro-batches, "
    + "sorted by length so that each batch pads little.");

  @Test
  @DisplayName("runs bge offline and gives the vectors ONNX Runtime's own API gives, in one padded batch")
  void sameVectorsAsRawRuntime() throws Exception {
    ModelSpec spec = KnownModels.named(KnownModels.BGE_SMALL_EN_V15).orElseThrow();
    try (ModelRegistry djl = ModelRegistry.load(List.of(spec), spec.name(), new EngineLoader(Device.CPU, 1));
         ModelRegistry raw = ModelRegistry.load(List.of(spec), spec.name(), new SessionFactory(Device.CPU, 1))) {
      List<Embedding> a = djl.embedder(null).embed(TEXTS, TextKind.PASSAGE);
      List<Embedding> b = raw.embedder(null).embed(TEXTS, TextKind.PASSAGE);
      for (int i = 0; i < TEXTS.size(); i++) {
        assertThat(a.get(i).vector()).hasSize(384);
        assertThat(Similarity.cosine(a.get(i).vector(), b.get(i).vector())).isGreaterThan(0.99999);
        assertThat(a.get(i).tokens()).isEqualTo(b.get(i).tokens());
      }
      assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
    }
  }

  @Test
  @DisplayName("asked for CUDA on a machine without it, loads on CPU and says why, once")
  void cudaFallsBackToCpu() throws Exception {
    ModelSpec spec = KnownModels.named(KnownModels.BGE_SMALL_EN_V15).orElseThrow();
    try (LogCapture log = LogCapture.of(EngineLoader.class);
         ModelRegistry cuda = ModelRegistry.load(List.of(spec), spec.name(), new EngineLoader(Device.CUDA, 1))) {
      assertThat(cuda.embedder(null).embed(TEXTS, TextKind.QUERY)).hasSize(2);
      assertThat(log.logged("inference.device is cuda but the CUDA provider did not start")).isTrue();
    }
  }
}
