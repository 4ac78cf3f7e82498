package io.ganglion.inference.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.LongBuffer;
import ai.djl.huggingface.tokenizers.Encoding;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The benchmark's reference runtime (see {@link SessionFactory}): one loaded BERT-family graph on ORT's own API;
 * feeds {@code input_ids}, {@code attention_mask} and, when the graph declares it, {@code token_type_ids}, and returns
 * its first output as a flat float array with its shape.
 * <p>
 * <b>NOTE</b>: {@link #run} is thread-safe (ORT sessions are); concurrent runs share the session's intra-op pool.
 */
public final class OnnxGraph implements ModelGraph {

  private static final String INPUT_IDS = "input_ids";
  private static final String ATTENTION_MASK = "attention_mask";
  private static final String TOKEN_TYPE_IDS = "token_type_ids";

  private final OrtEnvironment env;
  private final OrtSession session;
  private final boolean wantsTypeIds;
  private final String output;

  private OnnxGraph(OrtEnvironment env, OrtSession session) throws OrtException {
    this.env = env;
    this.session = session;
    Set<String> inputs = session.getInputNames();
    if (!inputs.contains(INPUT_IDS) || !inputs.contains(ATTENTION_MASK)) {
      throw new IllegalArgumentException("graph inputs are " + inputs + "; expected input_ids and attention_mask");
    }
    this.wantsTypeIds = inputs.contains(TOKEN_TYPE_IDS);
    this.output = session.getOutputNames().iterator().next();
  }

  /** Loads {@code spec}'s graph through {@code sessions}. */
  public static OnnxGraph load(ModelSpec spec, SessionFactory sessions) throws Exception {
    return new OnnxGraph(sessions.environment(), sessions.create(spec.name(), spec.source().readGraph()));
  }

  @Override
  public Output run(List<Encoding> encodings) throws OrtException {
    EncodedBatch batch = EncodedBatch.of(encodings);
    long[] shape = {batch.rows(), batch.seq()};
    Map<String, OnnxTensor> feed = new HashMap<>(4);
    try {
      feed.put(INPUT_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(batch.ids()), shape));
      feed.put(ATTENTION_MASK, OnnxTensor.createTensor(env, LongBuffer.wrap(batch.mask()), shape));
      if (wantsTypeIds) {
        feed.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(batch.types()), shape));
      }
      try (OrtSession.Result result = session.run(feed, Set.of(output))) {
        OnnxValue value = result.get(0);
        if (!(value instanceof OnnxTensor tensor)) {
          throw new IllegalStateException("output " + output + " is not a tensor");
        }
        float[] values = new float[Math.toIntExact(tensor.getInfo().getNumElements())];
        tensor.getFloatBuffer().get(values);
        return new Output(values, tensor.getInfo().getShape(), batch);
      }
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      // the session is gone either way; nothing to recover at shutdown
    }
  }
}
