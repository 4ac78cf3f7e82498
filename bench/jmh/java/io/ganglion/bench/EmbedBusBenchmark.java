package io.ganglion.bench;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Handlers;
import io.ganglion.inference.EmbedClient;
import io.ganglion.inference.EmbedReply;
import io.ganglion.inference.EmbedRequest;
import io.ganglion.inference.InferenceVerticle;
import io.ganglion.inference.onnx.Embedding;
import io.ganglion.inference.onnx.TextKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One embed request of 256 texts through the event bus, as retrieval's ingestion sends it to inference on the same
 * node: JSON vectors on the public {@code ganglion.inference.embed} ({@link EmbedClient#overJson}: the reply built as
 * JSON, copied by the local delivery, decoded back to floats) against records by reference on the node-local twin
 * {@code ganglion.inference.embed.local} ({@link EmbedClient#create}).
 * <p>
 * {@code backend=fake}: consumers on both addresses answer fixed 384-dimensional vectors, replying exactly as the
 * inference verticle does ({@link EmbedReply#of}, then {@link EmbedReply#toJson} on the JSON address), so the bus and
 * the encoding are all that is measured. {@code backend=model}: the real inference verticle with bge-small-en-v1.5
 * (16-word texts), to see what the difference is worth next to the model. Compare the two rows of one run as a ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class EmbedBusBenchmark {

  static final int TEXTS = 256;
  static final int DIMS = 384;

  @Param({"fake"})
  public String backend;

  private Vertx vertx;
  private EmbedClient json;
  private EmbedClient local;
  private EmbedRequest request;

  @Setup(Level.Trial)
  public void start() throws Exception {
    vertx = Vertx.vertx();
    Random random = new Random(42);
    List<String> texts = new ArrayList<>(TEXTS);
    for (int i = 0; i < TEXTS; i++) {
      StringBuilder sb = new StringBuilder("text ").append(i);
      for (int w = 0; w < 16; w++) {
        sb.append(' ').append(EmbeddingBenchmark.WORDS[random.nextInt(EmbeddingBenchmark.WORDS.length)]);
      }
      texts.add(sb.toString());
    }
    request = EmbedRequest.of(texts, TextKind.PASSAGE);
    if (backend.equals("model")) {
      vertx.deployVerticle(new InferenceVerticle()).await(120, TimeUnit.SECONDS);
    } else {
      List<Embedding> fixed = new ArrayList<>(TEXTS);
      for (int i = 0; i < TEXTS; i++) {
        fixed.add(new Embedding(unit(random), 20, false));
      }
      EmbedClient.registerCodecs(vertx);
      vertx.eventBus().<JsonObject>consumer(Addresses.INFERENCE_EMBED, Handlers.replying(body ->
        Future.succeededFuture(EmbedReply.of("fake", fixed.subList(0, body.getJsonArray("texts").size())).toJson())))
        .completion().await();
      vertx.eventBus().<EmbedRequest>localConsumer(Addresses.INFERENCE_EMBED_LOCAL, Handlers.replying(body ->
        Future.succeededFuture(EmbedReply.of("fake", fixed.subList(0, body.texts().size())))))
        .completion().await();
    }
    json = EmbedClient.overJson(vertx);
    local = EmbedClient.create(vertx);
  }

  private static float[] unit(Random random) {
    float[] v = new float[DIMS];
    double norm = 0;
    for (int d = 0; d < DIMS; d++) {
      v[d] = (float) random.nextGaussian();
      norm += v[d] * v[d];
    }
    for (int d = 0; d < DIMS; d++) {
      v[d] /= (float) Math.sqrt(norm);
    }
    return v;
  }

  @Benchmark
  public List<float[]> jsonVectors() throws Exception {
    return json.embed(request, 60_000).await(60, TimeUnit.SECONDS).vectors();
  }

  @Benchmark
  public List<float[]> localCodec() throws Exception {
    return local.embed(request, 60_000).await(60, TimeUnit.SECONDS).vectors();
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }
}
