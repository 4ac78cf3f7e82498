package io.ganglion.orchestration.impl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Looks for abstention signals beyond {@link AnswerSignals}: on the fit paraphrase set, each question embedded alone
 * on the real model ({@link ExtractiveReplica}), the bundled signals plus candidates, then a 5-fold cross-validated
 * logistic model per subset of signals. Candidates:
 * <ul>
 *   <li>{@code kbPassage}: the best passage's vector score minus the question's mean cosine with every chunk of the KB
 *       (the question's dot product with the mean chunk vector): how far the best passage stands out from the KB;</li>
 *   <li>{@code kbSentence}: the best sentence cosine minus the question's mean cosine with every sentence of the KB;</li>
 *   <li>{@code rawSentence}: the best sentence cosine of the question embedded without the query instruction;</li>
 *   <li>{@code rawKbSentence}: that minus the raw question's mean cosine with the KB's sentences.</li>
 * </ul>
 * Prints, per subset, the area under the ROC curve of answerable against each kind of off-topic question, and, at
 * the highest cut answering at least 95% of the answerable questions in cross-validation, the share abstained.
 * {@code AbstentionProbe report <subset>…} then scores the named subsets (fitted on the whole fit set, at that cut) on
 * the report set, once. {@code main} only.
 */
public final class AbstentionProbe {

  static final List<String> NAMES = List.of("sentence", "passage", "passageContrast", "kbPassage", "kbSentence",
    "rawSentence", "rawKbSentence");

  record Row(ParaphraseSet.Question question, double[] x) {
  }

  private AbstentionProbe() {
  }

  static List<Row> observe(ExtractiveReplica replica, ParaphraseSet set) throws Exception {
    replica.ingest(set);
    replica.embedSentences(set);
    float[] chunks = replica.chunkCentroid(set.name());
    float[] sentences = replica.sentenceCentroid(set.name());
    List<Row> rows = new ArrayList<>();
    for (ParaphraseSet.Question q : set.questions()) {
      float[] v = replica.alone(q.text());
      float[] raw = replica.raw(q.text());
      ExtractiveReplica.Assessed a = replica.assess(set, q, v, null);
      double rawBest = Double.NEGATIVE_INFINITY;
      for (String c : a.candidates()) {
        rawBest = Math.max(rawBest, Mmr.dot(raw, replica.sentence(c)));
      }
      AnswerSignals s = a.signals();
      rows.add(new Row(q, new double[] {s.sentence(), s.passage(), s.passageContrast(),
        s.passage() - Mmr.dot(v, chunks), s.sentence() - Mmr.dot(v, sentences), rawBest,
        rawBest - Mmr.dot(raw, sentences)}));
    }
    return rows;
  }

  /** Standardised logistic regression by gradient descent with a little L2; returns {mean, scale, weights+bias}. */
  static double[][] fit(List<Row> rows, int[] features) {
    int n = features.length;
    double[] mean = new double[n];
    double[] scale = new double[n];
    for (Row r : rows) {
      for (int j = 0; j < n; j++) {
        mean[j] += r.x()[features[j]] / rows.size();
      }
    }
    for (Row r : rows) {
      for (int j = 0; j < n; j++) {
        double d = r.x()[features[j]] - mean[j];
        scale[j] += d * d / (rows.size() - 1);
      }
    }
    for (int j = 0; j < n; j++) {
      scale[j] = Math.max(1e-6, Math.sqrt(scale[j]));
    }
    double[] w = new double[n + 1];
    for (int it = 0; it < 3000; it++) {
      double[] g = new double[n + 1];
      for (Row r : rows) {
        double z = w[n];
        for (int j = 0; j < n; j++) {
          z += w[j] * (r.x()[features[j]] - mean[j]) / scale[j];
        }
        double err = 1 / (1 + Math.exp(-z)) - (r.question().answerable() ? 1 : 0);
        for (int j = 0; j < n; j++) {
          g[j] += err * (r.x()[features[j]] - mean[j]) / scale[j] / rows.size();
        }
        g[n] += err / rows.size();
      }
      for (int j = 0; j < n; j++) {
        w[j] -= 0.5 * (g[j] + 0.01 * w[j]);
      }
      w[n] -= 0.5 * g[n];
    }
    return new double[][] {mean, scale, w};
  }

  static double logit(double[][] m, int[] features, Row r) {
    double z = m[2][features.length];
    for (int j = 0; j < features.length; j++) {
      z += m[2][j] * (r.x()[features[j]] - m[0][j]) / m[1][j];
    }
    return z;
  }

  /** Cross-validated log-odds of every row, in row order. */
  static double[] crossValidate(List<Row> rows, int[] features) {
    double[] out = new double[rows.size()];
    for (int f = 0; f < 5; f++) {
      List<Row> train = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        if (i % 5 != f) {
          train.add(rows.get(i));
        }
      }
      double[][] m = fit(train, features);
      for (int i = f; i < rows.size(); i += 5) {
        out[i] = logit(m, features, rows.get(i));
      }
    }
    return out;
  }

  static double auc(List<Row> rows, double[] z, String negative) {
    double wins = 0;
    int pairs = 0;
    for (int i = 0; i < rows.size(); i++) {
      if (!rows.get(i).question().answerable()) {
        continue;
      }
      for (int j = 0; j < rows.size(); j++) {
        if (negative.equals(rows.get(j).question().kind())) {
          wins += z[i] > z[j] ? 1 : z[i] == z[j] ? 0.5 : 0;
          pairs++;
        }
      }
    }
    return wins / pairs;
  }

  /** The highest cut that still answers 95% of the answerable rows. */
  static double cut(List<Row> rows, double[] z) {
    double[] answerable = new double[(int) rows.stream().filter(r -> r.question().answerable()).count()];
    int k = 0;
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).question().answerable()) {
        answerable[k++] = z[i];
      }
    }
    Arrays.sort(answerable);
    int misses = (int) Math.floor(0.05 * answerable.length);
    return answerable[misses];
  }

  static String rates(List<Row> rows, double[] z, double cut) {
    int[] n = new int[3];
    int[] hit = new int[3];
    for (int i = 0; i < rows.size(); i++) {
      String kind = rows.get(i).question().kind();
      int at = kind.equals("answerable") ? 0 : kind.equals("unrelated") ? 1 : 2;
      n[at]++;
      hit[at] += (at == 0) == (z[i] >= cut) ? 1 : 0;
    }
    return String.format(Locale.ROOT, "%d/%d | %d/%d | %d/%d", hit[0], n[0], hit[1], n[1], hit[2], n[2]);
  }

  static int[] subset(String spec) {
    return Arrays.stream(spec.split("\\+")).mapToInt(NAMES::indexOf).toArray();
  }

  public static void main(String[] args) throws Exception {
    List<String> subsets = List.of("sentence+passage+passageContrast", "sentence+passage", "sentence+kbPassage",
      "sentence+passage+kbPassage", "kbSentence+passage", "kbSentence+kbPassage", "sentence+passage+kbSentence",
      "rawSentence+passage", "rawSentence+sentence+passage", "rawKbSentence+passage", "rawKbSentence+kbPassage",
      "sentence+passage+passageContrast+kbPassage+kbSentence", "sentence+passage+rawSentence+kbPassage",
      "sentence+passage+passageContrast+kbPassage+kbSentence+rawSentence+rawKbSentence");
    try (ExtractiveReplica replica = new ExtractiveReplica()) {
      List<Row> fitRows = observe(replica, ParaphraseSet.load(ParaphraseSet.FIT));
      System.out.println("| signals | AUC unrelated | AUC near | cut (log-odds) | answered / abstained unrelated / near |");
      System.out.println("|---|---|---|---|---|");
      for (String spec : subsets) {
        int[] f = subset(spec);
        double[] z = crossValidate(fitRows, f);
        double cut = cut(fitRows, z);
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.2f | %s |%n", spec, auc(fitRows, z, "unrelated"),
          auc(fitRows, z, "near"), cut, rates(fitRows, z, cut));
      }
      if (args.length > 1 && args[0].equals("report")) {
        List<Row> reportRows = observe(replica, ParaphraseSet.load(ParaphraseSet.REPORT));
        System.out.println("report set, fitted on the whole fit set, at the fit set's cross-validated cut:");
        for (int a = 1; a < args.length; a++) {
          int[] f = subset(args[a]);
          double cut = cut(fitRows, crossValidate(fitRows, f));
          double[][] m = fit(fitRows, f);
          double[] z = reportRows.stream().mapToDouble(r -> logit(m, f, r)).toArray();
          System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.2f | %s |%n", args[a], auc(reportRows, z, "unrelated"),
            auc(reportRows, z, "near"), cut, rates(reportRows, z, cut));
          System.out.println("  weights " + Arrays.toString(m[2]));
        }
      }
      for (Row r : fitRows) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-10s", r.question().kind()));
        for (double x : r.x()) {
          sb.append(String.format(Locale.ROOT, " %.3f", x));
        }
        System.out.println(sb.append("  ").append(r.question().text()));
      }
    }
  }
}
