package io.ganglion.inference.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An embedding model: texts to L2-normalised vectors, pooled from the graph's token states by
 * {@link ModelSpec#pooling()} (a graph whose output is already {@code [rows, dims]} is taken as pooled).
 */
public final class TextEmbedder implements LoadedModel<TextEmbedder.Input, Embedding> {

  /** One text and its role. */
  public record Input(String text, TextKind kind) {
  }

  private final ModelSpec spec;
  private final TokenEncoder tokens;
  private final ModelGraph graph;

  TextEmbedder(ModelSpec spec, TokenEncoder tokens, ModelGraph graph) {
    this.spec = spec;
    this.tokens = tokens;
    this.graph = graph;
  }

  @Override
  public ModelSpec spec() {
    return spec;
  }

  @Override
  public Encoding encode(Input input) {
    return tokens.encode(spec.prefixed(input.text(), input.kind()));
  }

  @Override
  public List<Embedding> run(List<Encoding> encodings, boolean beside) throws Exception {
    ModelGraph.Output out = beside ? graph.runBeside(encodings) : graph.run(encodings);
    EncodedBatch batch = out.batch();
    boolean pooled = out.shape().length == 2;
    int dims = (int) out.shape()[out.shape().length - 1];
    List<Embedding> embeddings = new ArrayList<>(encodings.size());
    for (int row = 0; row < batch.rows(); row++) {
      float[] vector = pooled
        ? Arrays.copyOfRange(out.values(), row * dims, (row + 1) * dims)
        : spec.pooling().pool(out.values(), row, batch.seq(), dims, batch.mask());
      Encoding e = encodings.get(row);
      embeddings.add(new Embedding(Pooling.normalize(vector), e.getIds().length, e.exceedMaxLength()));
    }
    return embeddings;
  }

  /** Embeds {@code texts} of one role in one batch. */
  public List<Embedding> embed(List<String> texts, TextKind kind) throws Exception {
    return runAll(texts.stream().map(t -> new Input(t, kind)).toList());
  }

  @Override
  public void close() {
    try {
      graph.close();
    } finally {
      tokens.close();
    }
  }
}
