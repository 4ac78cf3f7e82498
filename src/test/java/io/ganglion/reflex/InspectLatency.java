package io.ganglion.reflex;

import io.ganglion.reflex.injection.InjectionDataset;
import io.ganglion.reflex.injection.InjectionDetector;
import io.ganglion.reflex.injection.LabelledText;
import io.ganglion.reflex.pii.eval.PiiEvalSet;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cost of {@link Inspector#inspect} (PII, redaction, the injection cascade) on the whole evaluation mix: the
 * injection held-out sets ({@code heldout.tsv}, {@code benign-2.tsv}, {@code benign-3.tsv}) and training prompts and
 * the PII report texts
 * (with argument {@code 300}: each extended with the following texts to exactly 300 characters), each inspected as
 * input after three warm-up passes. Prints, per deciding cascade stage, how many prompts it decided and the p50/p99/max of wall time and of
 * the thread's CPU time (on a shared machine the CPU time is the figure that excludes being descheduled).
 * {@code main} only; performance is measured here, never asserted in tests.
 */
public final class InspectLatency {

  private InspectLatency() {
  }

  public static void main(String[] args) {
    Inspector inspector = new Inspector(ReflexConfig.defaults(), InjectionDetector.bundled());
    List<String> mix = new ArrayList<>();
    InjectionDataset.read("/injection-eval/heldout.tsv").stream().map(LabelledText::text).forEach(mix::add);
    InjectionDataset.read("/injection-eval/benign-2.tsv").stream().map(LabelledText::text).forEach(mix::add);
    InjectionDataset.read("/injection-eval/benign-3.tsv").stream().map(LabelledText::text).forEach(mix::add);
    InjectionDataset.bundled().stream().map(LabelledText::text).forEach(mix::add);
    PiiEvalSet.load("report").stream().map(PiiEvalSet.Sample::text).forEach(mix::add);
    if (args.length > 0 && args[0].equals("300")) {
      mix = toLength(mix, 300);
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int warm = 0; warm < 3; warm++) {
      mix.forEach(t -> inspector.inspect(t, Direction.INPUT));
    }
    Map<String, List<long[]>> byStage = new TreeMap<>();
    for (String text : mix) {
      long wall = System.nanoTime();
      long cpu = threads.getCurrentThreadCpuTime();
      Inspection inspection = inspector.inspect(text, Direction.INPUT);
      long[] t = {System.nanoTime() - wall, threads.getCurrentThreadCpuTime() - cpu};
      byStage.computeIfAbsent(inspection.injection().stage(), k -> new ArrayList<>()).add(t);
      byStage.computeIfAbsent("all", k -> new ArrayList<>()).add(t);
    }
    System.out.println("| decided by | prompts | wall p50 | wall p99 | wall max | cpu p50 | cpu p99 | cpu max |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    byStage.forEach((stage, times) -> {
      long[] wall = times.stream().mapToLong(t -> t[0]).sorted().toArray();
      long[] cpu = times.stream().mapToLong(t -> t[1]).sorted().toArray();
      System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s |%n", stage, times.size(), us(wall, 0.5),
        us(wall, 0.99), us(wall, 1), us(cpu, 0.5), us(cpu, 0.99), us(cpu, 1));
    });
    double avg = mix.stream().mapToInt(String::length).average().orElse(0);
    System.out.printf(Locale.ROOT, "%d texts, %.0f characters on average%n", mix.size(), avg);
  }

  /** Each text followed by the next ones until {@code length} characters, cut there: prompts of one length. */
  static List<String> toLength(List<String> texts, int length) {
    List<String> out = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      StringBuilder b = new StringBuilder(texts.get(i));
      for (int k = i + 1; b.length() < length; k++) {
        b.append(' ').append(texts.get(k % texts.size()));
      }
      out.add(b.substring(0, length));
    }
    return out;
  }

  private static String us(long[] sorted, double p) {
    return String.format(Locale.ROOT, "%.0f µs", sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1e3);
  }
}
