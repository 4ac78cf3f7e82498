package io.ganglion.inference.onnx;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads graphs into DJL's ONNX Runtime engine ({@code ai.djl.onnxruntime}), on CPU or, when asked and present, CUDA.
 * <p>
 * DJL runs offline: {@link #offline()} sets {@code ai.djl.offline} (no model zoo, no engine download: the engine's
 * native library is ONNX Runtime's own jar), opts out of DJL's usage tracking, and turns off DJL's search for an
 * "alternative" engine, unless the operator set them. Graphs load from a file ({@link ModelSource#graphFile()}).
 * <p>
 * Session options go to the engine as its {@code sessionOptions} option (an {@link OrtSession.SessionOptions}), which
 * is why models are loaded with {@link Model#load(Path, String, Map)} rather than a {@code Criteria}: a criteria's
 * options are strings and cannot carry ORT's config entries, and the one that matters here turns off intra-op
 * spinning (batch-8 throughput on 2 busy cores: 84-228 sentences/s spinning, 268-282 not spinning).
 * <p>
 * CUDA: with {@code device cuda} the engine is given {@link Device#gpu()}, which makes it add ORT's CUDA provider;
 * when that fails (ORT's CPU build, no driver) the model is loaded on CPU and the first such fallback logs why;
 * {@link #running()} then says CPU (the inference verticle shows it as the meter {@code ganglion.inference.device}).
 */
public final class EngineLoader implements GraphLoader {

  /** DJL's name for its ONNX Runtime engine. */
  public static final String ENGINE = "OnnxRuntime";

  private static final Logger log = LoggerFactory.getLogger(EngineLoader.class);
  private static final AtomicBoolean cudaFallbackLogged = new AtomicBoolean();

  private final io.ganglion.inference.onnx.Device device;
  private final int threads;
  private final int besideThreads;
  private volatile boolean fellBack;

  /**
   * @param device the requested device
   * @param threads intra-op threads per session; at least 1
   */
  public EngineLoader(io.ganglion.inference.onnx.Device device, int threads) {
    this(device, threads, 0);
  }

  /**
   * @param threads intra-op threads per session; at least 1
   * @param besideThreads intra-op threads of a second session per graph for batches run beside another (on CPU);
   *     0, or the same as {@code threads}, for none
   */
  public EngineLoader(io.ganglion.inference.onnx.Device device, int threads, int besideThreads) {
    if (threads < 1 || besideThreads < 0) {
      throw new IllegalArgumentException("threads must be at least 1 and besideThreads at least 0, got " + threads
        + " and " + besideThreads);
    }
    this.device = device;
    this.threads = threads;
    this.besideThreads = besideThreads == threads ? 0 : besideThreads;
    offline();
  }

  @Override
  public int sessionsPerGraph() {
    return besideThreads == 0 ? 1 : 2;
  }

  /** The device asked for ({@code inference.device}). */
  public io.ganglion.inference.onnx.Device configured() {
    return device;
  }

  /** Where graphs run: CPU when asked for, or when a CUDA load fell back to it. */
  public io.ganglion.inference.onnx.Device running() {
    return device == io.ganglion.inference.onnx.Device.CUDA && !fellBack ? device
      : io.ganglion.inference.onnx.Device.CPU;
  }

  /** Keeps DJL off the network and on ONNX Runtime alone; the operator's own settings win. Idempotent. */
  public static void offline() {
    for (String property : new String[]{"ai.djl.offline", "OPT_OUT_TRACKING", "ai.djl.onnx.disable_alternative"}) {
      if (System.getProperty(property) == null) {
        System.setProperty(property, "true");
      }
    }
  }

  @Override
  public ModelGraph load(ModelSpec spec) throws Exception {
    Path file = spec.source().graphFile();
    if (device == io.ganglion.inference.onnx.Device.CUDA) {
      try {
        return open(spec, file, Device.gpu());
      } catch (MalformedModelException | OrtException | RuntimeException e) {
        fellBack = true;
        if (cudaFallbackLogged.compareAndSet(false, true)) {
          log.warn("inference.device is cuda but the CUDA provider did not start ({}); running ONNX models on CPU",
            rootMessage(e));
        }
      }
    }
    EngineGraph graph = open(spec, file, Device.cpu(), threads);
    if (besideThreads == 0) {
      return graph;
    }
    try {
      return new BesideGraph(graph, open(spec, file, Device.cpu(), besideThreads));
    } catch (Exception | Error e) {
      graph.close();
      throw e;
    }
  }

  private EngineGraph open(ModelSpec spec, Path file, Device on) throws Exception {
    return open(spec, file, on, threads);
  }

  private EngineGraph open(ModelSpec spec, Path file, Device on, int intraOpThreads) throws Exception {
    Model model = Model.newInstance(spec.name(), on, ENGINE);
    OrtSession.SessionOptions session = sessionOptions(spec.name(), intraOpThreads);
    try {
      Map<String, Object> options = new HashMap<>();
      options.put("sessionOptions", session);
      model.load(file, null, options);
      return new EngineGraph(model, session);
    } catch (Exception | Error e) {
      model.close();
      session.close();
      throw e;
    }
  }

  /** The session options every graph gets, on either runtime. */
  static OrtSession.SessionOptions sessionOptions(String name, int threads) throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setLoggerId(name);
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
    options.setIntraOpNumThreads(threads);
    // BERT graphs are a single chain of ops: a second inter-op thread would only compete with the intra-op pool
    options.setInterOpNumThreads(1);
    // ORT's pool threads spin between ops by default. On a box shared with event loops (or other builds) a spinning
    // thread that gets descheduled stalls the whole op: batch-8 throughput on 2 busy cores was 84-228 sentences/s
    // spinning and 268-282 not spinning (threads=1: 170-188).
    options.addConfigEntry("session.intra_op.allow_spinning", "0");
    options.addConfigEntry("session.inter_op.allow_spinning", "0");
    return options;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
