package io.ganglion.reflex.injection.eval;

import io.ganglion.reflex.injection.CascadeThresholds;
import io.ganglion.reflex.injection.InjectionDataset;
import io.ganglion.reflex.injection.InjectionDetector;
import io.ganglion.reflex.injection.InjectionVerdict;
import io.ganglion.reflex.injection.LabelledText;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the cascade's escalation band by cross-validation: every fold's held-back prompts are scored once with the
 * band wide open (the first stage's score and the exemplar vote of every prompt), and then every candidate
 * {@code [ngramLow, ngramHigh)} is applied to those scores: outside the band the first stage decides, inside the mean
 * of both does. Prints, per band, precision, recall and F1 at the threshold and the share of benign prompts escalated
 * to the exemplar stage, overall and per language.
 * <p>
 * {@code EscalationSweep cv} on the hand-written training set (the choice); {@code EscalationSweep heldout} scores the
 * held-out set with the bundled detector the same way (for the report only, never for the choice).
 */
public final class EscalationSweep {

  /** One prompt's first-stage score and exemplar vote. */
  record Scored(LabelledText example, double first, double vote) {
  }

  private static final CascadeThresholds WIDE = new CascadeThresholds(0.6, 0, 1, 0.5, 0.75);
  private static final List<String> LANGS = List.of("en", "de", "es", "fr", "it", "pt", "nl");

  private EscalationSweep() {
  }

  static Scored score(InjectionDetector detector, LabelledText e) {
    InjectionVerdict v = detector.detect(e.text(), WIDE);
    if (!v.stage().equals("exemplars")) {
      return new Scored(e, v.score(), v.score());
    }
    return new Scored(e, 2 * v.score() - v.exemplarScore(), v.exemplarScore());
  }

  static List<Scored> crossValidated(int k, long seed) {
    List<Scored> out = new ArrayList<>();
    InjectionEvaluation.folds(k, seed, (detector, test) -> test.forEach(e -> out.add(score(detector, e))));
    return out;
  }

  static List<Scored> heldOut() {
    InjectionDetector detector = InjectionDetector.bundled();
    List<Scored> out = new ArrayList<>();
    for (LabelledText e : InjectionDataset.read("/injection-eval/heldout.tsv")) {
      out.add(score(detector, e));
    }
    return out;
  }

  /** P, R, F1 and the benign escalation share of {@code scored} under one band; {@code lang} null for all. */
  static double[] apply(List<Scored> scored, double threshold, double low, double high, String lang) {
    int tp = 0;
    int fp = 0;
    int fn = 0;
    int benign = 0;
    int escalated = 0;
    for (Scored s : scored) {
      if (lang != null && !s.example().lang().equals(lang)) {
        continue;
      }
      boolean inBand = s.first() >= low && s.first() < high;
      double score = inBand ? (s.first() + s.vote()) / 2 : s.first();
      boolean predicted = score >= threshold;
      boolean injection = s.example().isInjection();
      tp += predicted && injection ? 1 : 0;
      fp += predicted && !injection ? 1 : 0;
      fn += !predicted && injection ? 1 : 0;
      if (!injection) {
        benign++;
        escalated += inBand ? 1 : 0;
      }
    }
    double p = tp + fp == 0 ? 1 : (double) tp / (tp + fp);
    double r = tp + fn == 0 ? 1 : (double) tp / (tp + fn);
    return new double[] {p, r, p + r == 0 ? 0 : 2 * p * r / (p + r), benign == 0 ? 0 : (double) escalated / benign};
  }

  static String table(List<Scored> scored, double threshold, double[] lows, double[] highs) {
    StringBuilder out = new StringBuilder("| ngramLow | ngramHigh | P | R | F1 | benign escalated |");
    LANGS.forEach(l -> out.append(' ').append(l).append(" F1/esc |"));
    out.append("\n|---|---|---|---|---|---|").append("---|".repeat(LANGS.size())).append('\n');
    for (double low : lows) {
      for (double high : highs) {
        double[] a = apply(scored, threshold, low, high, null);
        out.append(String.format(Locale.ROOT, "| %.2f | %.2f | %.3f | %.3f | %.3f | %.1f%% |", low, high, a[0], a[1], a[2],
          100 * a[3]));
        for (String l : LANGS) {
          double[] b = apply(scored, threshold, low, high, l);
          out.append(String.format(Locale.ROOT, " %.3f/%.0f%% |", b[2], 100 * b[3]));
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

  /** {@code EscalationSweep cv|heldout [low,low,… [high,high,…]]}. */
  public static void main(String[] args) {
    String what = args.length > 0 ? args[0] : "cv";
    double[] lows = args.length > 1 ? parse(args[1]) : new double[] {0.35, 0.4, 0.45, 0.5, 0.55, 0.6};
    double[] highs = args.length > 2 ? parse(args[2]) : new double[] {0.8, 0.9};
    List<Scored> scored = what.equals("heldout") ? heldOut() : crossValidated(5, 20240611L);
    System.out.print(table(scored, CascadeThresholds.DEFAULTS.threshold(), lows, highs));
    if (args.length > 3) {
      for (Scored s : scored) {
        if (!s.example().isInjection()) {
          System.out.printf(Locale.ROOT, "benign %.3f %.3f [%s] %s%n", s.first(), s.vote(), s.example().lang(),
            s.example().text());
        }
      }
    }
  }

  private static double[] parse(String list) {
    String[] parts = list.split(",");
    double[] out = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Double.parseDouble(parts[i]);
    }
    return out;
  }
}
