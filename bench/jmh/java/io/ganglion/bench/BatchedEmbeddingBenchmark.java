package io.ganglion.bench;

import io.ganglion.inference.InferenceConfig;
import io.ganglion.inference.BatchedModels;
import io.ganglion.inference.onnx.Embedding;
import io.ganglion.inference.onnx.TextKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Micro-batched versus one-at-a-time embedding under the same concurrency: 16 callers each embed one ~64-token
 * sentence at a time through {@link BatchedModels}; {@code maxBatch=1} is the one-at-a-time baseline. Ops/s is
 * sentences/s; compare the two rows of one run as a ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(16)
public class BatchedEmbeddingBenchmark {

  @Param({"1", "16"})
  public int maxBatch;

  @Param({"5"})
  public int maxWaitMs;

  private BatchedModels models;

  @State(Scope.Thread)
  public static class Caller {
    final Random random = new Random(Thread.currentThread().threadId());
  }

  @Setup(Level.Trial)
  public void start() {
    models = BatchedModels.start(InferenceConfig.from(new JsonObject().put("maxBatch", maxBatch)
      .put("maxWaitMs", maxWaitMs)), new SimpleMeterRegistry());
  }

  @Benchmark
  public List<Embedding> embedOne(Caller caller) {
    String text = EmbeddingBenchmark.sentence(caller.random);
    return models.embed(null, List.of(text), TextKind.PASSAGE).join();
  }

  @TearDown(Level.Trial)
  public void stop() {
    models.close();
  }
}
