package io.ganglion.inference.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A sequence-pair model (cross-encoder reranker, sequence classifier): each (first, second) pair is encoded as one
 * sequence and scored from the graph's logits.
 * <p>
 * The score is the single logit of a one-label head (rerankers) or the softmax probability of the last label of a
 * multi-label head (the "positive" class of binary classifiers). A graph that outputs token states
 * {@code [rows, seq, dims]} is read at its first token, so any BERT graph runs through here.
 */
public final class PairScorer implements LoadedModel<PairScorer.Pair, PairScorer.Score> {

  /** Two texts scored together; {@code second} may be empty for single-text classification. */
  public record Pair(String first, String second) {
  }

  /**
   * @param score the relevance (raw logit) or positive-class probability
   * @param logits the head's raw outputs
   * @param truncated whether the pair was cut to the model's max length
   */
  public record Score(float score, float[] logits, boolean truncated) {
  }

  private final ModelSpec spec;
  private final TokenEncoder tokens;
  private final ModelGraph graph;

  PairScorer(ModelSpec spec, TokenEncoder tokens, ModelGraph graph) {
    this.spec = spec;
    this.tokens = tokens;
    this.graph = graph;
  }

  @Override
  public ModelSpec spec() {
    return spec;
  }

  @Override
  public Encoding encode(Pair pair) {
    return pair.second().isEmpty() ? tokens.encode(pair.first()) : tokens.encode(pair.first(), pair.second());
  }

  @Override
  public List<Score> run(List<Encoding> encodings, boolean beside) throws Exception {
    ModelGraph.Output out = beside ? graph.runBeside(encodings) : graph.run(encodings);
    EncodedBatch batch = out.batch();
    long[] shape = out.shape();
    int labels = (int) shape[shape.length - 1];
    int rowStride = shape.length == 3 ? batch.seq() * labels : labels;
    List<Score> scores = new ArrayList<>(encodings.size());
    for (int row = 0; row < batch.rows(); row++) {
      float[] logits = Arrays.copyOfRange(out.values(), row * rowStride, row * rowStride + labels);
      scores.add(new Score(score(logits), logits, encodings.get(row).exceedMaxLength()));
    }
    return scores;
  }

  /** Scores {@code passages} against one {@code query}, in one batch. */
  public List<Score> score(String query, List<String> passages) throws Exception {
    return runAll(passages.stream().map(p -> new Pair(query, p)).toList());
  }

  private static float score(float[] logits) {
    if (logits.length == 1) {
      return logits[0];
    }
    float max = Float.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double sum = 0;
    for (float l : logits) {
      sum += Math.exp(l - max);
    }
    return (float) (Math.exp(logits[logits.length - 1] - max) / sum);
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
