package io.ganglion.reflex.injection.eval;

import io.ganglion.reflex.injection.CascadeThresholds;
import io.ganglion.reflex.injection.InjectionDataset;
import io.ganglion.reflex.injection.InjectionDetector;
import io.ganglion.reflex.injection.InjectionVerdict;
import io.ganglion.reflex.injection.LabelledText;
import io.ganglion.reflex.injection.TextNormalizer;
import io.ganglion.reflex.injection.TriggerObjects;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the weights of the {@link TriggerObjects object reading} by cross-validation (folds grouped by translation,
 * {@link SiblingGroups}): every fold's held-back prompts are scored once with the reading off and the band wide open
 * (first-stage score, exemplar vote, whether a rule fired, the reading), then every candidate pair of weights and
 * band is applied to those scores exactly as {@link InjectionDetector} applies them. Prints P, R, F1 and the share of
 * benign prompts escalated past the first stage, overall and per language.
 * <p>
 * {@code ObjectSweep cv [benign,… [attack,… [low,… [high,…]]]]}; {@code ObjectSweep heldout|benign2 …} scores a held-out
 * file with the bundled detector the same way (for the report only, never for the choice). Weights {@code 0 0} give
 * the bands alone; {@code -Dlenient=true} takes an unknown object for a benign one too (measured worse).
 */
public final class ObjectSweep {

  record Scored(LabelledText example, double first, double vote, boolean ruled, TriggerObjects.Reading reading) {
  }

  private static final CascadeThresholds WIDE = new CascadeThresholds(0.6, 0, 1, 0.5, 0.75);
  private static final List<String> LANGS = List.of("en", "de", "es", "fr", "it", "pt", "nl");

  static final boolean LENIENT = Boolean.getBoolean("lenient");

  private ObjectSweep() {
  }

  static Scored score(InjectionDetector plain, LabelledText e) {
    InjectionVerdict v = plain.detect(e.text(), WIDE);
    double first = v.stage().equals("exemplars") ? 2 * v.score() - v.exemplarScore() : v.score();
    double vote = v.stage().equals("exemplars") ? v.exemplarScore() : first;
    return new Scored(e, first, vote, !v.rules().isEmpty(), TriggerObjects.read(TextNormalizer.normalize(e.text())));
  }

  static double first(Scored s, double benign, double attack) {
    double first = s.first();
    boolean benignReading = LENIENT ? s.reading().triggers() > 0 && s.reading().attack() == 0 : s.reading().allBenign();
    if (!s.ruled() && benignReading && benign > 0) {
      return first / (first + (1 - first) * Math.exp(benign));
    }
    if (!s.ruled() && s.reading().attack() > 0 && attack > 0) {
      return 1 - (1 - first) * (1 - attack);
    }
    return first;
  }

  /** P, R, F1, benign escalated share. */
  static double[] apply(List<Scored> scored, double benign, double attack, double low, double high, String lang) {
    int tp = 0;
    int fp = 0;
    int fn = 0;
    int benignN = 0;
    int escalated = 0;
    for (Scored s : scored) {
      if (lang != null && !s.example().lang().equals(lang)) {
        continue;
      }
      double first = first(s, benign, attack);
      boolean inBand = first >= low && first < high;
      double score = inBand ? (first + s.vote()) / 2 : first;
      boolean predicted = score >= 0.6;
      boolean injection = s.example().isInjection();
      tp += predicted && injection ? 1 : 0;
      fp += predicted && !injection ? 1 : 0;
      fn += !predicted && injection ? 1 : 0;
      if (!injection) {
        benignN++;
        escalated += inBand ? 1 : 0;
      }
    }
    double p = tp + fp == 0 ? 1 : (double) tp / (tp + fp);
    double r = tp + fn == 0 ? 1 : (double) tp / (tp + fn);
    return new double[] {p, r, p + r == 0 ? 0 : 2 * p * r / (p + r), benignN == 0 ? 0 : (double) escalated / benignN,
      tp, fp, fn};
  }

  static List<Scored> crossValidated(int k, long seed) {
    List<Scored> out = new ArrayList<>();
    InjectionEvaluation.folds(k, seed, (detector, test) -> {
      InjectionDetector plain = detector.withObjectWeights(0, 0);
      test.forEach(e -> out.add(score(plain, e)));
    });
    return out;
  }

  static List<Scored> file(String resource) {
    InjectionDetector plain = InjectionDetector.bundled().withObjectWeights(0, 0);
    List<Scored> out = new ArrayList<>();
    for (LabelledText e : InjectionDataset.read(resource)) {
      out.add(score(plain, e));
    }
    return out;
  }

  public static void main(String[] args) {
    String what = args.length > 0 ? args[0] : "cv";
    double[] benign = args.length > 1 ? parse(args[1]) : new double[] {0, 0.5, 1, 1.5, 2, 3, 5};
    double[] attack = args.length > 2 ? parse(args[2]) : new double[] {0, 0.3, 0.5};
    double[] lows = args.length > 3 ? parse(args[3]) : new double[] {0.35};
    double[] highs = args.length > 4 ? parse(args[4]) : new double[] {0.9};
    List<Scored> scored = switch (what) {
      case "heldout" -> file("/injection-eval/heldout.tsv");
      case "benign2" -> file("/injection-eval/benign-2.tsv");
      case "benign3" -> file("/injection-eval/benign-3.tsv");
      default -> crossValidated(5, 20240611L);
    };
    StringBuilder out = new StringBuilder("| benign w | attack w | low | high | P | R | F1 | benign escalated |");
    LANGS.forEach(l -> out.append(' ').append(l).append(" F1/esc |"));
    out.append("\n|---|---|---|---|---|---|---|---|").append("---|".repeat(LANGS.size())).append('\n');
    for (double b : benign) {
      for (double a : attack) {
        for (double low : lows) {
          for (double high : highs) {
            double[] r = apply(scored, b, a, low, high, null);
            out.append(String.format(Locale.ROOT, "| %.1f | %.1f | %.2f | %.2f | %.3f | %.3f | %.3f | %.1f%% |", b, a, low,
              high, r[0], r[1], r[2], 100 * r[3]));
            for (String l : LANGS) {
              double[] x = apply(scored, b, a, low, high, l);
              out.append(String.format(Locale.ROOT, " %.3f/%.0f%% |", x[2], 100 * x[3]));
            }
            out.append('\n');
          }
        }
      }
    }
    System.out.print(out);
    if (args.length > 5) {
      for (Scored s : scored) {
        if (s.reading().triggers() > 0) {
          System.out.printf(Locale.ROOT, "%s %.3f %.3f ruled=%s %s [%s] %s%n", s.example().label(), s.first(), s.vote(),
            s.ruled(), s.reading().notes(), s.example().lang(), s.example().text());
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
