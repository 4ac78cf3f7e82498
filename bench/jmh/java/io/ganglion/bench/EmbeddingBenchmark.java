package io.ganglion.bench;

import io.ganglion.inference.onnx.Device;
import io.ganglion.inference.onnx.Embedding;
import io.ganglion.inference.onnx.EngineLoader;
import io.ganglion.inference.onnx.KnownModels;
import io.ganglion.inference.onnx.ModelRegistry;
import io.ganglion.inference.onnx.ModelSpec;
import io.ganglion.inference.onnx.SessionFactory;
import io.ganglion.inference.onnx.TextEmbedder;
import io.ganglion.inference.onnx.TextKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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

/**
 * Raw embedding throughput of bge-small-en-v1.5 (int8) through ONNX Runtime, tokenizing included, no batcher: one
 * call embeds {@code batch} distinct sentences of {@code words} words (50: about 64 tokens; 200: about 256, the size of
 * an ingested chunk, {@code -p words=200}). The {@code sentences} line is sentences/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EmbeddingBenchmark {

  static final String[] WORDS = {"the", "server", "answers", "questions", "from", "a", "team's", "own",
    "documents", "with", "cited", "sources", "and", "every", "request", "is", "guarded", "on", "its", "way", "in",
    "out", "while", "embedding", "models", "run", "in", "process", "micro", "batches", "cluster", "nodes", "share",
    "shards", "of", "each", "knowledge", "base", "retrieval", "fuses", "keyword", "vector", "search"};

  @Param({"1", "8", "32"})
  public int batch;

  /** {@code djl}: DJL's ONNX Runtime engine (what the server runs); {@code ort}: ONNX Runtime's Java API directly. */
  @Param({"djl", "ort"})
  public String runtime;

  /** Words per sentence: 50 is about 64 tokens, 200 about 256 (an ingested chunk, {@code retrieval.chunkTokens}). */
  @Param({"50"})
  public int words;

  /** ONNX Runtime intra-op threads; 0 means every available core. */
  @Param({"0"})
  public int threads;

  private ModelRegistry registry;
  private TextEmbedder embedder;
  private List<List<String>> batches;
  private int next;

  /** Counts sentences, so JMH reports sentences/s beside calls/s. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Sentences {
    public long sentences;
  }

  @Setup(Level.Trial)
  public void load() throws Exception {
    ModelSpec spec = KnownModels.named(KnownModels.BGE_SMALL_EN_V15).orElseThrow();
    int intraOp = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    registry = ModelRegistry.load(List.of(spec), spec.name(), 
      "ort".equals(runtime) ? new SessionFactory(Device.CPU, intraOp) : new EngineLoader(Device.CPU, intraOp));
    embedder = registry.embedder(null);
    Random random = new Random(64);
    batches = new ArrayList<>();
    for (int b = 0; b < 16; b++) {
      List<String> texts = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        texts.add(sentence(random, words));
      }
      batches.add(texts);
    }
    List<Embedding> probe = embedder.embed(batches.get(0), TextKind.PASSAGE);
    System.out.printf("%n# %s: %d sentences per call, %d tokens in the first, %d intra-op threads%n", runtime, batch,
      probe.get(0).tokens(), intraOp);
  }

  static String sentence(Random random) {
    return sentence(random, 50);
  }

  static String sentence(Random random, int words) {
    StringBuilder sb = new StringBuilder();
    for (int w = 0; w < words; w++) {
      sb.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
    }
    return sb.append('.').toString();
  }

  @Benchmark
  public List<Embedding> embed(Sentences counter) throws Exception {
    List<String> texts = batches.get(next++ & 15);
    counter.sentences += texts.size();
    return embedder.embed(texts, TextKind.PASSAGE);
  }

  @TearDown(Level.Trial)
  public void close() {
    registry.close();
  }
}
