package io.ganglion.reflex.injection;

import com.oracle.labs.mlrg.olcut.util.Pair;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.VariableIDInfo;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.evaluation.CrossValidation;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.List;

/**
 * Trains the injection classifier with Tribuo: logistic regression (multinomial log loss, AdaGrad, a fixed seed)
 * over {@link FeatureHasher} features, then reduces the model to the per-bucket weight table
 * {@link InjectionClassifier} scores with.
 * <p>
 * Training is reproducible: the same examples and seed give the same weights. It takes a few hundred milliseconds
 * for the bundled dataset and <b>blocks</b>: run it on a worker (or at start, before the verticle serves).
 */
public final class InjectionTrainer {

  /** The seed used for shuffling and cross-validation splits unless a caller picks another. */
  public static final long DEFAULT_SEED = 20240611L;

  private static final Label INJECTION = new Label(LabelledText.INJECTION);
  private static final Label BENIGN = new Label(LabelledText.BENIGN);
  private static final int EPOCHS = 20;
  static final float BENIGN_WEIGHT = 2f;
  private static final double LEARNING_RATE = 0.2;

  private InjectionTrainer() {
  }

  /** Precision, recall and F1 of the {@code injection} class, averaged over cross-validation folds. */
  public record Metrics(int folds, double precision, double recall, double f1) {
  }

  /** A classifier trained on {@code examples}. */
  public static InjectionClassifier train(List<LabelledText> examples, long seed) {
    return toClassifier(trainModel(examples, seed));
  }

  /** The Tribuo model itself, for checking the weight-table reduction against Tribuo's own predictions. */
  static LinearSGDModel trainModel(List<LabelledText> examples, long seed) {
    return trainer(seed).train(dataset(examples));
  }

  /** {@code k}-fold cross-validation of the training pipeline on {@code examples}, using Tribuo's evaluator. */
  public static Metrics crossValidate(List<LabelledText> examples, int k, long seed) {
    CrossValidation<Label, LabelEvaluation> cv =
      new CrossValidation<>(trainer(seed), dataset(examples), new LabelEvaluator(), k, seed);
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    List<Pair<LabelEvaluation, Model<Label>>> folds = cv.evaluate();
    for (Pair<LabelEvaluation, Model<Label>> fold : folds) {
      precision += fold.getA().precision(INJECTION);
      recall += fold.getA().recall(INJECTION);
      f1 += fold.getA().f1(INJECTION);
    }
    return new Metrics(folds.size(), precision / folds.size(), recall / folds.size(), f1 / folds.size());
  }

  /** The example Tribuo sees for {@code text}: its normalised text's buckets as features, each {@code 1/sqrt(#buckets)}. */
  static Example<Label> example(Label label, String text) {
    int[] buckets = FeatureHasher.features(TextNormalizer.normalize(text));
    String[] names = new String[buckets.length];
    double[] values = new double[buckets.length];
    double value = 1 / Math.sqrt(Math.max(1, buckets.length));
    for (int i = 0; i < buckets.length; i++) {
      names[i] = featureName(buckets[i]);
      values[i] = value;
    }
    return new ArrayExample<>(label, names, values);
  }

  private static String featureName(int bucket) {
    return "b" + bucket;
  }

  private static LinearSGDTrainer trainer(long seed) {
    // a fresh trainer per training: Tribuo trainers advance their RNG on every train() call;
    // the logging interval counts examples, and logging every few of them costs more than the training
    return new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(LEARNING_RATE, 0.1), EPOCHS, Integer.MAX_VALUE, 1, seed);
  }

  private static MutableDataset<Label> dataset(List<LabelledText> examples) {
    LabelFactory factory = new LabelFactory();
    MutableDataset<Label> dataset =
      new MutableDataset<>(new SimpleDataSourceProvenance("ganglion reflex injection dataset", factory), factory);
    for (LabelledText e : examples) {
      Example<Label> example = example(e.isInjection() ? INJECTION : BENIGN, e.text());
      // most real prompts are benign; the training set is about half attacks, so a benign example counts more
      example.setWeight(e.isInjection() ? 1f : BENIGN_WEIGHT);
      dataset.add(example);
    }
    return dataset;
  }

  private static InjectionClassifier toClassifier(LinearSGDModel model) {
    // weights are [label][feature id], with the bias in the extra last column
    DenseMatrix w = model.getWeightsCopy();
    int injection = model.getOutputIDInfo().getID(INJECTION);
    int benign = model.getOutputIDInfo().getID(BENIGN);
    ImmutableFeatureMap features = model.getFeatureIDMap();
    float[] table = new float[FeatureHasher.BUCKETS];
    for (VariableInfo info : features) {
      int id = ((VariableIDInfo) info).getID();
      int bucket = Integer.parseInt(info.getName().substring(1));
      table[bucket] = (float) (w.get(injection, id) - w.get(benign, id));
    }
    int biasColumn = features.size();
    return new InjectionClassifier(table, w.get(injection, biasColumn) - w.get(benign, biasColumn));
  }
}
