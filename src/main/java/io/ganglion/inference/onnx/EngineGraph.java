package io.ganglion.inference.onnx;

import ai.djl.Model;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import ai.onnxruntime.OrtSession;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A graph in DJL's ONNX Runtime engine, run with {@link Predictor#batchPredict}: the translator builds the padded
 * {@code input_ids}, {@code attention_mask} (and, when the graph declares it, {@code token_type_ids}) tensors of the
 * whole batch, and copies the first output back into one flat array shared by the batch's rows. Every tensor of a run
 * lives in the predictor's per-call {@link NDManager} and is freed when the call returns.
 * <p>
 * <b>NOTE</b>: a DJL {@link Predictor} is not thread-safe; each thread that runs the graph gets its own (they share
 * the one ORT session, which is), created on first use and closed with the graph.
 */
final class EngineGraph implements ModelGraph {

  private static final String INPUT_IDS = "input_ids";
  private static final String ATTENTION_MASK = "attention_mask";
  private static final String TOKEN_TYPE_IDS = "token_type_ids";

  private final Model model;
  private final OrtSession.SessionOptions session;
  private final boolean wantsTypeIds;
  private final BatchTranslator translator;
  // one predictor per thread that ran the graph (the inference worker pool's few threads); dropped with the graph
  private final Map<Thread, Predictor<Encoding, Row>> predictors = new ConcurrentHashMap<>();

  /** One input's view of the batch's output. */
  record Row(Output output, int row) {
  }

  EngineGraph(Model model, OrtSession.SessionOptions session) {
    this.model = model;
    this.session = session;
    List<String> inputs = model.describeInput().keys();
    if (!inputs.contains(INPUT_IDS) || !inputs.contains(ATTENTION_MASK)) {
      throw new IllegalArgumentException("graph inputs are " + inputs + "; expected input_ids and attention_mask");
    }
    this.wantsTypeIds = inputs.contains(TOKEN_TYPE_IDS);
    this.translator = new BatchTranslator(wantsTypeIds);
  }

  @Override
  public Output run(List<Encoding> encodings) throws TranslateException {
    List<Row> rows = predictors.computeIfAbsent(Thread.currentThread(), t -> model.newPredictor(translator))
      .batchPredict(encodings);
    return rows.get(0).output();
  }

  @Override
  public void close() {
    predictors.values().forEach(Predictor::close);
    predictors.clear();
    model.close();
    session.close();
  }

  /** Encodings to one padded batch of tensors, and the first output back to a flat array. */
  private static final class BatchTranslator implements Translator<Encoding, Row> {

    private static final String BATCH = "batch";
    private final boolean typeIds;

    BatchTranslator(boolean typeIds) {
      this.typeIds = typeIds;
    }

    @Override
    public NDList batchProcessInput(TranslatorContext ctx, List<Encoding> inputs) {
      EncodedBatch batch = EncodedBatch.of(inputs);
      ctx.setAttachment(BATCH, batch);
      NDManager manager = ctx.getNDManager();
      Shape shape = new Shape(batch.rows(), batch.seq());
      NDList list = new NDList(typeIds ? 3 : 2);
      list.add(named(manager.create(LongBuffer.wrap(batch.ids()), shape, DataType.INT64), INPUT_IDS));
      list.add(named(manager.create(LongBuffer.wrap(batch.mask()), shape, DataType.INT64), ATTENTION_MASK));
      if (typeIds) {
        list.add(named(manager.create(LongBuffer.wrap(batch.types()), shape, DataType.INT64), TOKEN_TYPE_IDS));
      }
      return list;
    }

    @Override
    public List<Row> batchProcessOutput(TranslatorContext ctx, NDList list) {
      EncodedBatch batch = (EncodedBatch) ctx.getAttachment(BATCH);
      NDArray first = list.get(0);
      Output output = new Output(first.toFloatArray(), first.getShape().getShape(), batch);
      List<Row> rows = new ArrayList<>(batch.rows());
      for (int r = 0; r < batch.rows(); r++) {
        rows.add(new Row(output, r));
      }
      return Collections.unmodifiableList(rows);
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Encoding input) {
      return batchProcessInput(ctx, List.of(input));
    }

    @Override
    public Row processOutput(TranslatorContext ctx, NDList list) {
      return batchProcessOutput(ctx, list).get(0);
    }
  }

  private static NDArray named(NDArray array, String name) {
    array.setName(name);
    return array;
  }
}
