package io.ganglion.inference.onnx;

import ai.djl.huggingface.tokenizers.Encoding;

import java.util.List;

/**
 * A graph loaded twice on CPU: its main session ({@code inference.threads} intra-op threads) runs every batch, and a
 * second one with fewer threads ({@code inference.besideThreads}) runs the batches of interactive inputs that the
 * worker kept for them runs beside a bulk batch. The cores then hold the bulk batch's threads plus one for the query,
 * instead of two sets of threads fighting over them: a short query gains nothing from a second thread, and every
 * parallel op of a run wakes and waits for its pool threads (spinning is off), which a machine already busy with a
 * bulk batch pays for in CPU the ingestion loses.
 */
final class BesideGraph implements ModelGraph {

  private final ModelGraph main;
  private final ModelGraph beside;

  BesideGraph(ModelGraph main, ModelGraph beside) {
    this.main = main;
    this.beside = beside;
  }

  @Override
  public Output run(List<Encoding> encodings) throws Exception {
    return main.run(encodings);
  }

  @Override
  public Output runBeside(List<Encoding> encodings) throws Exception {
    return beside.run(encodings);
  }

  @Override
  public void close() {
    try {
      beside.close();
    } finally {
      main.close();
    }
  }
}
