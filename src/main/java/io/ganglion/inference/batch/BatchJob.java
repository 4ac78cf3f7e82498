package io.ganglion.inference.batch;

import ai.djl.huggingface.tokenizers.Encoding;
import io.ganglion.inference.onnx.LoadedModel;

import java.util.List;

/**
 * One batch for a {@link BatchWorker}, sent by reference to its node-local address: the model and the encodings to run
 * together, and whether it runs beside a bulk batch (then on the model's session kept for that). The reply is a {@link Done}.
 */
record BatchJob(LoadedModel<?, ?> model, List<Encoding> encodings, boolean beside) {

  /** The rows, one per encoding in order, and how long the model ran. */
  record Done(List<?> rows, long runNanos) {
  }
}
