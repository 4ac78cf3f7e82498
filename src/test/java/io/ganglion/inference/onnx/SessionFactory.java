package io.ganglion.inference.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates ONNX Runtime sessions for one device and intra-op thread count through ORT's own Java API: the reference the
 * server's runtime ({@link EngineLoader}, DJL's engine) is measured against ({@code bench/inference-runtime.sh}) and
 * checked for the same vectors ({@code EngineLoaderTest}); it lives in the test sources, so the server has one runtime.
 * <p>
 * CUDA is used when requested and ORT's CUDA provider is present (the {@code onnxruntime_gpu} build on the classpath,
 * and a driver that accepts it); otherwise the session runs on CPU and the first such fallback in the process logs
 * one warning saying why.
 */
public final class SessionFactory implements GraphLoader {

  private static final Logger log = LoggerFactory.getLogger(SessionFactory.class);
  private static final AtomicBoolean cudaFallbackLogged = new AtomicBoolean();

  private final OrtEnvironment env = sharedEnvironment();
  private final Device device;
  private final int threads;

  /**
   * @param device the requested device
   * @param threads intra-op threads per session (one ORT pool per session); at least 1
   */
  public SessionFactory(Device device, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.device = device;
    this.threads = threads;
  }

  @Override
  public ModelGraph load(ModelSpec spec) throws Exception {
    return OnnxGraph.load(spec, this);
  }

  /**
   * The process's one ORT environment, created by DJL's engine: DJL creates it with its own thread pool and fails
   * ("one already exists") when a plain environment was made first, so a test that ran raw sessions before the
   * engine's tests (surefire's order is the file system's) broke them.
   */
  private static OrtEnvironment sharedEnvironment() {
    EngineLoader.offline();
    ai.djl.engine.Engine.getEngine(EngineLoader.ENGINE);
    return OrtEnvironment.getEnvironment();
  }

  /** The process-wide ORT environment the sessions belong to. */
  public OrtEnvironment environment() {
    return env;
  }

  /** A session over {@code graph}, on CUDA if requested and usable, else on CPU. */
  public OrtSession create(String name, byte[] graph) throws OrtException {
    if (device == Device.CUDA) {
      if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
        warnFallback("this ONNX Runtime build has no CUDA provider (put com.microsoft.onnxruntime:onnxruntime_gpu "
          + "on the classpath instead of onnxruntime)");
      } else {
        try (OrtSession.SessionOptions options = options(name)) {
          options.addCUDA(0);
          return env.createSession(graph, options);
        } catch (OrtException e) {
          warnFallback("the CUDA provider failed to start: " + e.getMessage());
        }
      }
    }
    try (OrtSession.SessionOptions options = options(name)) {
      return env.createSession(graph, options);
    }
  }

  private OrtSession.SessionOptions options(String name) throws OrtException {
    return EngineLoader.sessionOptions(name, threads);
  }

  private static void warnFallback(String why) {
    if (cudaFallbackLogged.compareAndSet(false, true)) {
      log.warn("inference.device is cuda but {}; running ONNX models on CPU", why);
    }
  }
}
