package io.ganglion.inference.batch;

import ai.djl.huggingface.tokenizers.Encoding;
import io.ganglion.inference.onnx.LoadedModel;
import java.util.List;

/** Batches a loaded ONNX model: inputs are tokenized on the batcher thread, sorted by token count, run per batch. */
public record ModelBatchRunner<I, O>(LoadedModel<I, O> model) implements BatchRunner<I, Encoding, O> {

  @Override
  public Encoding prepare(I input) {
    return model.encode(input);
  }

  @Override
  public int length(Encoding prepared) {
    return prepared.getIds().length;
  }

  @Override
  public List<O> run(List<Encoding> batch) throws Exception {
    return model.run(batch);
  }
}
