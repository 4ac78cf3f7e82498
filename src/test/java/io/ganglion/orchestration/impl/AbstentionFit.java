package io.ganglion.orchestration.impl;

import io.ganglion.inference.onnx.KnownModels;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fits the bundled abstention model ({@link AbstentionModel#RESOURCE}) on the fit paraphrase set: every question's
 * {@link AnswerSignals} on the real model, computed with the question embedded alone and inside a batch of 16 (so the
 * fit sees the jitter batching causes), standardised, then a logistic regression (Tribuo, log loss, AdaGrad). Prints
 * {@value #FOLDS}-fold cross-validation by question at several confidence cuts, the fitted weights, every question's
 * signals and the sorted in-sample log-odds (the default {@code minConfidence} is the cut in the widest gap of those
 * log-odds among the cuts that answer at least 95% of the paraphrases in cross-validation: 0.2); writes the model file.
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat target/test-classpath) \
 *   io.ganglion.orchestration.impl.AbstentionFit src/main/resources/orchestration/abstention-bge-small-en-v1.5.json
 * </pre>
 * Never run by the build: the model file it writes is reviewed and committed.
 */
public final class AbstentionFit {

  static final Label ANSWER = new Label("answer");
  static final Label ABSTAIN = new Label("abstain");
  static final long SEED = 15;
  static final int EPOCHS = 100;
  static final double LEARNING_RATE = 0.5;
  static final int FOLDS = 5;

  private AbstentionFit() {
  }

  /** One question's signals under each embedding of it. */
  record Observed(ParaphraseSet.Question question, List<AnswerSignals> signals) {
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "target/abstention-model.json");
    ParaphraseSet set = ParaphraseSet.load(ParaphraseSet.FIT);
    List<Observed> observed = new ArrayList<>();
    try (ExtractiveReplica replica = new ExtractiveReplica()) {
      replica.ingest(set);
      replica.embedSentences(set);
      List<ParaphraseSet.Question> questions = set.questions();
      for (int from = 0; from < questions.size(); from += 4) {
        List<ParaphraseSet.Question> group = questions.subList(from, Math.min(questions.size(), from + 4));
        List<float[]> batched = replica.inBatch(group.stream().map(ParaphraseSet.Question::text).toList(), from);
        for (int i = 0; i < group.size(); i++) {
          ParaphraseSet.Question q = group.get(i);
          observed.add(new Observed(q, List.of(replica.assess(set, q, replica.alone(q.text()), null).signals(),
            replica.assess(set, q, batched.get(i), null).signals())));
        }
      }
    }
    for (Observed o : observed) {
      System.out.printf(Locale.ROOT, "%-10s %s  %s%n", o.question().kind(), o.signals().getFirst().toJson().encode(),
        o.question().text());
    }
    jitter(observed);
    crossValidate(observed);
    AbstentionModel model = fit(observed, "src/test/resources/abstention/" + set.name() + ".json ("
      + observed.stream().filter(o -> o.question().answerable()).count() + " answerable, "
      + observed.stream().filter(o -> !o.question().answerable()).count() + " off-topic questions)");
    System.out.println(model.toJson().encodePrettily());
    report("fit set, in-sample", observed, model);
    List<Double> logits = new ArrayList<>();
    observed.forEach(o -> o.signals().forEach(s -> logits.add(model.logit(s))));
    logits.sort(null);
    System.out.println("in-sample logits, sorted: " + logits.stream()
      .map(z -> String.format(Locale.ROOT, "%.2f", z)).toList());
    Files.writeString(out, model.toJson().encodePrettily() + "\n", StandardCharsets.UTF_8);
    System.out.println("written " + out);
  }

  /** Per signal, how much it moves between the question alone and batched: mean and largest change. */
  static void jitter(List<Observed> observed) {
    for (int i = 0; i < AnswerSignals.NAMES.size(); i++) {
      double sum = 0;
      double max = 0;
      int n = 0;
      for (Observed o : observed) {
        double d = Math.abs(o.signals().get(0).values()[i] - o.signals().get(1).values()[i]);
        if (!Double.isNaN(d)) {
          sum += d;
          max = Math.max(max, d);
          n++;
        }
      }
      System.out.printf(Locale.ROOT, "jitter of %s: mean %.4f, largest %.4f%n", AnswerSignals.NAMES.get(i), sum / n, max);
    }
  }

  /** Standardises the signals of {@code observed} and fits the logistic model on them. */
  static AbstentionModel fit(List<Observed> observed, String fittedOn) {
    int n = AnswerSignals.NAMES.size();
    double[] mean = new double[n];
    double[] scale = new double[n];
    int[] count = new int[n];
    for (Observed o : observed) {
      for (AnswerSignals s : o.signals()) {
        double[] v = s.values();
        for (int i = 0; i < n; i++) {
          if (!Double.isNaN(v[i])) {
            mean[i] += v[i];
            count[i]++;
          }
        }
      }
    }
    for (int i = 0; i < n; i++) {
      mean[i] /= Math.max(1, count[i]);
    }
    for (Observed o : observed) {
      for (AnswerSignals s : o.signals()) {
        double[] v = s.values();
        for (int i = 0; i < n; i++) {
          if (!Double.isNaN(v[i])) {
            scale[i] += (v[i] - mean[i]) * (v[i] - mean[i]);
          }
        }
      }
    }
    for (int i = 0; i < n; i++) {
      scale[i] = Math.max(1e-6, Math.sqrt(scale[i] / Math.max(1, count[i] - 1)));
    }
    LabelFactory factory = new LabelFactory();
    MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("abstention fit set", factory), factory);
    for (Observed o : observed) {
      for (AnswerSignals s : o.signals()) {
        data.add(example(o.question().answerable() ? ANSWER : ABSTAIN, s, mean, scale));
      }
    }
    LinearSGDTrainer trainer = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(LEARNING_RATE, 0.1), EPOCHS,
      Integer.MAX_VALUE, 1, SEED);
    LinearSGDModel trained = trainer.train(data);
    // weights are [label][feature id], the bias in the last column; two labels reduce to one log-odds
    DenseMatrix w = trained.getWeightsCopy();
    int answer = trained.getOutputIDInfo().getID(ANSWER);
    int abstain = trained.getOutputIDInfo().getID(ABSTAIN);
    double[] weights = new double[n];
    for (int i = 0; i < n; i++) {
      int id = trained.getFeatureIDMap().getID(AnswerSignals.NAMES.get(i));
      weights[i] = id < 0 ? 0 : w.get(answer, id) - w.get(abstain, id);
    }
    int biasColumn = trained.getFeatureIDMap().size();
    double bias = w.get(answer, biasColumn) - w.get(abstain, biasColumn);
    return new AbstentionModel(KnownModels.BGE_SMALL_EN_V15, fittedOn, mean, scale, weights, bias);
  }

  private static Example<Label> example(Label label, AnswerSignals s, double[] mean, double[] scale) {
    double[] v = s.values();
    List<String> names = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    for (int i = 0; i < v.length; i++) {
      if (!Double.isNaN(v[i])) {
        names.add(AnswerSignals.NAMES.get(i));
        values.add((v[i] - mean[i]) / scale[i]);
      }
    }
    return new ArrayExample<>(label, names.toArray(String[]::new), values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** Folds by question (a question's embeddings stay together), each fold scored by a model fitted without it. */
  static void crossValidate(List<Observed> observed) {
    List<double[]> scored = new ArrayList<>(); // {answerable 1/0, near 1/0, confidence}
    for (int f = 0; f < FOLDS; f++) {
      List<Observed> train = new ArrayList<>();
      List<Observed> held = new ArrayList<>();
      for (int i = 0; i < observed.size(); i++) {
        (i % FOLDS == f ? held : train).add(observed.get(i));
      }
      AbstentionModel model = fit(train, "fold " + f);
      for (Observed o : held) {
        for (AnswerSignals s : o.signals()) {
          scored.add(new double[] {o.question().answerable() ? 1 : 0, "near".equals(o.question().kind()) ? 1 : 0,
            model.confidence(s)});
        }
      }
    }
    System.out.printf("%d-fold cross-validation on the fit set (each question alone and in a batch):%n", FOLDS);
    System.out.println("| minConfidence | answers answerable | abstains, unrelated | abstains, near-domain |");
    System.out.println("|---|---|---|---|");
    for (double cut = 0.2; cut < 0.71; cut += 0.05) {
      double c = cut;
      System.out.printf(Locale.ROOT, "| %.2f | %s | %s | %s |%n", cut,
        rate(scored, s -> s[0] == 1, s -> s[2] >= c), rate(scored, s -> s[0] == 0 && s[1] == 0, s -> s[2] < c),
        rate(scored, s -> s[1] == 1, s -> s[2] < c));
    }
  }

  private static String rate(List<double[]> scored, java.util.function.Predicate<double[]> of,
                             java.util.function.Predicate<double[]> hit) {
    long n = scored.stream().filter(of).count();
    long k = scored.stream().filter(of).filter(hit).count();
    return String.format(Locale.ROOT, "%d/%d (%.1f%%)", k, n, 100.0 * k / n);
  }

  static void report(String label, List<Observed> observed, AbstentionModel model) {
    for (Observed o : observed) {
      double z = model.logit(o.signals().getFirst());
      boolean wrong = (z >= 0) != o.question().answerable();
      if (wrong || Math.abs(z) < 1) {
        System.out.printf(Locale.ROOT, "%s: %-10s logit %+.2f %s %s%n", label, o.question().kind(), z,
          wrong ? "WRONG" : "close", o.question().text());
      }
    }
  }
}
