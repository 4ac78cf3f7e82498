package io.ganglion.inference.onnx;

/** Turns a model's spec into a running graph on some device and runtime. */
public interface GraphLoader {

  /** Loads {@code spec}'s graph; blocks for as long as that takes (seconds). */
  ModelGraph load(ModelSpec spec) throws Exception;

  /** Sessions each loaded graph holds (memory is estimated per session). */
  default int sessionsPerGraph() {
    return 1;
  }
}
