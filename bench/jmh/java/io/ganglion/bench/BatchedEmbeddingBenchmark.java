package io.ganglion.bench;

import io.ganglion.inference.EmbedClient;
import io.ganglion.inference.InferenceVerticle;
import io.ganglion.inference.onnx.TextKind;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
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
 * Micro-batched versus one-at-a-time embedding under the same concurrency: 32 callers each embed one ~64-token
 * sentence at a time through the real {@link InferenceVerticle} (its lanes, dispatcher and worker verticles) on the
 * node-local bus address; {@code maxBatch=1} is the one-at-a-time baseline. Ops/s is sentences/s; compare the two
 * rows of one run as a ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(32)
public class BatchedEmbeddingBenchmark {

  @Param({"1", "16"})
  public int maxBatch;

  @Param({"5"})
  public int maxWaitMs;

  private Vertx vertx;
  private EmbedClient client;

  @State(Scope.Thread)
  public static class Caller {
    final Random random = new Random(Thread.currentThread().threadId());
  }

  @Setup(Level.Trial)
  public void start() throws Exception {
    vertx = Vertx.vertx();
    JsonObject config = new JsonObject().put("inference", new JsonObject().put("maxBatch", maxBatch)
      .put("maxWaitMs", maxWaitMs));
    vertx.deployVerticle(new InferenceVerticle(), new DeploymentOptions().setConfig(config))
      .await(180, TimeUnit.SECONDS);
    client = EmbedClient.create(vertx);
  }

  @Benchmark
  public List<float[]> embedOne(Caller caller) throws Exception {
    String text = EmbeddingBenchmark.sentence(caller.random);
    return client.vectors(List.of(text), TextKind.PASSAGE, 30_000).toCompletionStage().toCompletableFuture()
      .get(60, TimeUnit.SECONDS);
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    vertx.close().await(60, TimeUnit.SECONDS);
  }
}
