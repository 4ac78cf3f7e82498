package io.ganglion.reflex.injection.eval;

import io.ganglion.reflex.injection.CascadeThresholds;
import io.ganglion.reflex.injection.InjectionAugmentation;
import io.ganglion.reflex.injection.InjectionClassifier;
import io.ganglion.reflex.injection.InjectionRules;
import io.ganglion.reflex.injection.InjectionTrainer;
import io.ganglion.reflex.injection.TextNormalizer;
import io.ganglion.reflex.injection.InjectionDataset;
import io.ganglion.reflex.injection.InjectionDetector;
import io.ganglion.reflex.injection.InjectionVerdict;
import io.ganglion.reflex.injection.LabelledText;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Scores injection detection: precision, recall and F1 overall, per language and per family, the share of benign
 * prompts that went past the first stage or would be sent to the embedding stage, and the CPU time per prompt.
 * {@link #crossValidate} does k-fold cross-validation of the whole in-process cascade (classifier and exemplars
 * trained on k-1 folds of the hand-written set, derived variants made from those folds only); {@link #heldOut}
 * trains on everything and scores {@code src/test/resources/injection-eval/heldout.tsv}.
 */
public final class InjectionEvaluation {

  /** Confusion counts of one slice. */
  public static final class Counts {
    public int tp;
    public int fp;
    public int fn;
    public int tn;
    public int pastFirstStage;
    public int uncertain;

    public double precision() {
      return tp + fp == 0 ? 1 : (double) tp / (tp + fp);
    }

    public double recall() {
      return tp + fn == 0 ? 1 : (double) tp / (tp + fn);
    }

    public double f1() {
      double p = precision();
      double r = recall();
      return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    void add(Counts o) {
      tp += o.tp;
      fp += o.fp;
      fn += o.fn;
      tn += o.tn;
      pastFirstStage += o.pastFirstStage;
      uncertain += o.uncertain;
    }

    int benign() {
      return fp + tn;
    }
  }

  /** Counts overall ({@code all}), by language ({@code lang:xx}) and family ({@code family:xx}); CPU times in ns. */
  public record Report(Map<String, Counts> slices, long[] cpuNanos, List<String> errors) {

    public Counts all() {
      return slices.get("all");
    }

    /** A Markdown table of every slice. */
    public String table() {
      StringBuilder out = new StringBuilder(
        "| slice | n | precision | recall | F1 | benign past stage 1 | benign uncertain |\n|---|---|---|---|---|---|---|\n");
      slices.forEach((k, c) -> out.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f | %s | %s |%n", k,
        c.tp + c.fp + c.fn + c.tn, c.precision(), c.recall(), c.f1(), share(c.pastFirstStage, c.benign()),
        share(c.uncertain, c.benign()))));
      return out.toString();
    }

    public double cpuPercentileMicros(double p) {
      long[] sorted = cpuNanos.clone();
      Arrays.sort(sorted);
      return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1e3;
    }

    private static String share(int n, int of) {
      return of == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * n / of);
    }
  }

  private InjectionEvaluation() {
  }

  /** Runs {@code detector} (returning a verdict) over {@code examples}, deciding at {@code t.threshold()}. */
  public static Report evaluate(List<LabelledText> examples, Function<String, InjectionVerdict> detector,
                                CascadeThresholds t) {
    Map<String, Counts> slices = new TreeMap<>();
    List<String> errors = new ArrayList<>();
    long[] cpu = new long[examples.size()];
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int i = 0; i < examples.size(); i++) {
      LabelledText e = examples.get(i);
      long started = threads.getCurrentThreadCpuTime();
      InjectionVerdict v = detector.apply(e.text());
      cpu[i] = threads.getCurrentThreadCpuTime() - started;
      boolean predicted = v.score() >= t.threshold();
      Counts one = new Counts();
      if (predicted && e.isInjection()) {
        one.tp++;
      } else if (predicted) {
        one.fp++;
        errors.add("FP [" + e.lang() + "/" + e.family() + "] " + String.format(Locale.ROOT, "%.2f", v.score()) + " "
          + v.rules() + " " + e.text());
      } else if (e.isInjection()) {
        one.fn++;
        errors.add("FN [" + e.lang() + "/" + e.family() + "] " + String.format(Locale.ROOT, "%.2f", v.score()) + " "
          + e.text());
      } else {
        one.tn++;
      }
      if (!e.isInjection()) {
        one.pastFirstStage += v.stage().equals("exemplars") || v.stage().equals("embedding") ? 1 : 0;
        one.uncertain += InjectionDetector.uncertain(v, t) || v.stage().equals("embedding") ? 1 : 0;
      }
      for (String key : List.of("all", "lang:" + e.lang(), "family:" + e.family())) {
        slices.computeIfAbsent(key, k -> new Counts()).add(one);
      }
    }
    return new Report(slices, cpu, errors);
  }

  /** k-fold cross-validation of the in-process cascade on the hand-written training set. */
  public static Report crossValidate(int k, long seed, CascadeThresholds t) {
    Map<String, Counts> slices = new TreeMap<>();
    List<String> errors = new ArrayList<>();
    List<long[]> cpu = new ArrayList<>();
    folds(k, seed, (detector, test) -> {
      Report report = evaluate(test, text -> detector.detect(text, t), t);
      report.slices().forEach((key, c) -> slices.computeIfAbsent(key, x -> new Counts()).add(c));
      errors.addAll(report.errors());
      cpu.add(report.cpuNanos());
    });
    return new Report(slices, cpu.stream().flatMapToLong(Arrays::stream).toArray(), errors);
  }

  /**
   * The k folds of the hand-written training set, a prompt always in the same fold as its translations
   * ({@link SiblingGroups}): for each, a detector trained on the other k-1 folds (with variants derived from those
   * only) and the fold's own examples.
   */
  static void folds(int k, long seed, java.util.function.BiConsumer<InjectionDetector, List<LabelledText>> each) {
    folds(k, seed, InjectionDetector::train, each);
  }

  /** {@link #folds(int, long, java.util.function.BiConsumer)} with another way to train a detector. */
  static void folds(int k, long seed, java.util.function.BiFunction<List<LabelledText>, Long, InjectionDetector> trainer,
                    java.util.function.BiConsumer<InjectionDetector, List<LabelledText>> each) {
    List<LabelledText> all = InjectionDataset.bundled();
    List<List<Integer>> folds = SiblingGroups.folds(all, k, seed);
    for (int fold = 0; fold < k; fold++) {
      List<LabelledText> train = new ArrayList<>();
      List<LabelledText> test = new ArrayList<>();
      for (int f = 0; f < k; f++) {
        for (int i : folds.get(f)) {
          (f == fold ? test : train).add(all.get(i));
        }
      }
      each.accept(trainer.apply(InjectionAugmentation.withVariants(train), seed), test);
    }
  }

  /** The bundled detector on the held-out file. */
  public static Report heldOut(CascadeThresholds t) {
    InjectionDetector detector = InjectionDetector.bundled();
    return evaluate(InjectionDataset.read("/injection-eval/heldout.tsv"), text -> detector.detect(text, t), t);
  }

  /**
   * The bundled detector on the second held-out benign set, {@code src/test/resources/injection-eval/benign-2.tsv}:
   * everyday prompts using the attack words innocently, written after the training look-alikes.
   */
  public static Report benignTwo(CascadeThresholds t) {
    InjectionDetector detector = InjectionDetector.bundled();
    return evaluate(InjectionDataset.read("/injection-eval/benign-2.tsv"), text -> detector.detect(text, t), t);
  }

  /**
   * The bundled detector on the third held-out set, {@code src/test/resources/injection-eval/benign-3.tsv}: look-alikes
   * of the trigger words and a few attacks, written before any figure of the object reading was read on a held-out set.
   */
  public static Report benignThree(CascadeThresholds t) {
    InjectionDetector detector = InjectionDetector.bundled();
    return evaluate(InjectionDataset.read("/injection-eval/benign-3.tsv"), text -> detector.detect(text, t), t);
  }

  /** The bundled detector on the document passages of {@code src/test/resources/injection-eval/passages.tsv}. */
  public static Report passages(CascadeThresholds t) {
    InjectionDetector detector = InjectionDetector.bundled();
    return evaluate(InjectionDataset.read("/injection-eval/passages.tsv"), text -> detector.detectPassage(text, t, null),
      t);
  }

  /**
   * What each stage adds on the held-out set: rules alone, the n-gram classifier alone, both (the first stage deciding
   * everything), and the cascade with exemplars; F1 per language. Prints a Markdown table.
   */
  static void stages(CascadeThresholds t) {
    List<LabelledText> heldOut = InjectionDataset.read("/injection-eval/heldout.tsv");
    List<LabelledText> training = InjectionDataset.training();
    List<LabelledText> classifierSet = new ArrayList<>(training);
    classifierSet.addAll(InjectionAugmentation.planted(training));
    InjectionClassifier classifier = InjectionTrainer.train(classifierSet, InjectionTrainer.DEFAULT_SEED);
    InjectionRules rules = InjectionRules.builtIn();
    InjectionDetector firstStage = new InjectionDetector(classifier, rules);
    InjectionDetector cascade = InjectionDetector.bundled();
    Map<String, Function<String, InjectionVerdict>> variants = new java.util.LinkedHashMap<>();
    variants.put("rules only", text -> {
      double not = 1;
      for (InjectionRules.Rule r : rules.matching(TextNormalizer.normalize(text))) {
        not *= 1 - r.weight();
      }
      return new InjectionVerdict(1 - not, 0, List.of(), List.of(), List.of(), "rules", -1, -1, null, null, null);
    });
    variants.put("n-grams only", text -> {
      double p = classifier.score(TextNormalizer.normalize(text));
      return new InjectionVerdict(p, p, List.of(), List.of(), List.of(), "ngram", -1, -1, null, null, null);
    });
    variants.put("rules + n-grams", text -> firstStage.detect(text, t));
    variants.put("+ exemplars (the cascade)", text -> cascade.detect(text, t));
    List<String> langs = List.of("en", "de", "es", "fr", "it", "pt", "nl");
    StringBuilder out = new StringBuilder("| stages | P | R | F1 |");
    langs.forEach(l -> out.append(" F1 ").append(l).append(" |"));
    out.append("\n|---|---|---|---|").append("---|".repeat(langs.size())).append('\n');
    variants.forEach((name, detector) -> {
      Report r = evaluate(heldOut, detector, t);
      out.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f |", name, r.all().precision(), r.all().recall(),
        r.all().f1()));
      langs.forEach(l -> out.append(String.format(Locale.ROOT, " %.3f |", r.slices().get("lang:" + l).f1())));
      out.append('\n');
    });
    System.out.print(out);
  }

  /** {@code InjectionEvaluation [cv|heldout|benign2|benign3|passages|stages] [errors]}: prints the table. */
  public static void main(String[] args) {
    CascadeThresholds t = thresholds();
    String what = args.length > 0 ? args[0] : "heldout";
    if (what.equals("stages")) {
      stages(t);
      return;
    }
    Report r = switch (what) {
      case "cv" -> crossValidate(5, 20240611L, t);
      case "passages" -> passages(t);
      case "benign2" -> benignTwo(t);
      case "benign3" -> benignThree(t);
      default -> heldOut(t);
    };
    System.out.println(r.table());
    System.out.printf(Locale.ROOT, "cpu per prompt: p50 %.1f us, p99 %.1f us, max %.1f us%n",
      r.cpuPercentileMicros(0.5), r.cpuPercentileMicros(0.99), r.cpuPercentileMicros(1.0));
    if (args.length > 1) {
      r.errors().forEach(System.out::println);
    }
  }

  /** The default thresholds, or another band from {@code -DngramLow=… -DngramHigh=…} (for trying one). */
  static CascadeThresholds thresholds() {
    CascadeThresholds d = CascadeThresholds.DEFAULTS;
    double low = Double.parseDouble(System.getProperty("ngramLow", String.valueOf(d.ngramLow())));
    double high = Double.parseDouble(System.getProperty("ngramHigh", String.valueOf(d.ngramHigh())));
    return new CascadeThresholds(d.threshold(), low, high, Math.max(low, d.exemplarLow()),
      Math.min(high, d.exemplarHigh()));
  }
}
