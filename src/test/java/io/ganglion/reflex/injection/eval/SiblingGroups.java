package io.ganglion.reflex.injection.eval;

import io.ganglion.reflex.injection.LabelledText;
import io.ganglion.reflex.injection.TextNormalizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Groups the hand-written training set's prompts with their translations, so a cross-validation fold never holds a
 * prompt while its sibling in another language trains the detector (which made cross-validation over-predict the
 * held-out results: the fold's "unseen" prompt was a translation of a seen one).
 * <p>
 * The dataset carries no sibling ids, but it was written in runs (one language, one kind: attacks, benign prompts,
 * look-alikes), and a translated run keeps its source's order, dropping or adding a few prompts. So every pair of
 * runs of the same kind in different languages is aligned monotonically (a longest-path alignment that may skip
 * prompts on either side) on a language-independent similarity: the Dice overlap of the normalised texts' character
 * 3-grams, numbers, quoted words and names included. Aligned pairs above {@value #MIN_SIMILARITY} are joined into
 * groups, most similar first, a group holding at most one prompt per language; folds are made of whole groups.
 * <p>
 * Joining too much only makes cross-validation more pessimistic; a missed sibling leaks as before.
 */
final class SiblingGroups {

  /** Aligned pairs below this similarity are not taken for translations. */
  static final double MIN_SIMILARITY = 0.12;

  private SiblingGroups() {
  }

  /** A group number per example of {@code examples} (in file order). */
  static int[] of(List<LabelledText> examples) {
    int n = examples.size();
    List<Set<String>> grams = new ArrayList<>(n);
    for (LabelledText e : examples) {
      grams.add(trigrams(TextNormalizer.normalize(e.text())));
    }
    List<int[]> runs = runs(examples);
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    List<double[]> aligned = new ArrayList<>();
    for (int a = 0; a < runs.size(); a++) {
      for (int b = a + 1; b < runs.size(); b++) {
        int[] ra = runs.get(a);
        int[] rb = runs.get(b);
        LabelledText fa = examples.get(ra[0]);
        LabelledText fb = examples.get(rb[0]);
        if (fa.lang().equals(fb.lang()) || !kind(fa).equals(kind(fb))) {
          continue;
        }
        for (int[] pair : align(ra, rb, grams)) {
          aligned.add(new double[] {dice(grams.get(pair[0]), grams.get(pair[1])), pair[0], pair[1]});
        }
      }
    }
    // most similar pairs first; a group holds at most one prompt per language (siblings are translations), which
    // keeps one stray alignment from chaining unrelated groups together
    aligned.sort((x, y) -> Double.compare(y[0], x[0]));
    List<Set<String>> langs = new ArrayList<>(n);
    for (LabelledText e : examples) {
      langs.add(new HashSet<>(Set.of(e.lang())));
    }
    for (double[] pair : aligned) {
      int ga = find(parent, (int) pair[1]);
      int gb = find(parent, (int) pair[2]);
      if (ga != gb && Collections.disjoint(langs.get(ga), langs.get(gb))) {
        parent[ga] = gb;
        langs.get(gb).addAll(langs.get(ga));
      }
    }
    int[] group = new int[n];
    for (int i = 0; i < n; i++) {
      group[i] = find(parent, i);
    }
    return group;
  }

  /** {@code k} folds of whole groups, shuffled by {@code seed} and filled largest group first into the smallest fold. */
  static List<List<Integer>> folds(List<LabelledText> examples, int k, long seed) {
    int[] group = of(examples);
    List<List<Integer>> members = new ArrayList<>();
    java.util.Map<Integer, List<Integer>> byGroup = new java.util.LinkedHashMap<>();
    for (int i = 0; i < group.length; i++) {
      byGroup.computeIfAbsent(group[i], g -> new ArrayList<>()).add(i);
    }
    members.addAll(byGroup.values());
    Collections.shuffle(members, new Random(seed));
    members.sort((x, y) -> y.size() - x.size()); // stable: equal sizes keep the shuffled order
    List<List<Integer>> folds = new ArrayList<>();
    for (int f = 0; f < k; f++) {
      folds.add(new ArrayList<>());
    }
    for (List<Integer> m : members) {
      List<Integer> smallest = folds.get(0);
      for (List<Integer> f : folds) {
        if (f.size() < smallest.size()) {
          smallest = f;
        }
      }
      smallest.addAll(m);
    }
    return folds;
  }

  private static String kind(LabelledText e) {
    return e.isInjection() ? "attack" : e.family();
  }

  // maximal runs of consecutive examples with one language and kind: {first, last} inclusive
  private static List<int[]> runs(List<LabelledText> examples) {
    List<int[]> runs = new ArrayList<>();
    int start = 0;
    for (int i = 1; i <= examples.size(); i++) {
      if (i == examples.size() || !examples.get(i).lang().equals(examples.get(start).lang())
        || !kind(examples.get(i)).equals(kind(examples.get(start)))) {
        runs.add(new int[] {start, i - 1});
        start = i;
      }
    }
    return runs;
  }

  // the monotone alignment of two runs maximising the summed similarity above MIN_SIMILARITY
  private static List<int[]> align(int[] ra, int[] rb, List<Set<String>> grams) {
    int na = ra[1] - ra[0] + 1;
    int nb = rb[1] - rb[0] + 1;
    double[][] gain = new double[na + 1][nb + 1];
    double[][] sim = new double[na][nb];
    for (int i = 0; i < na; i++) {
      for (int j = 0; j < nb; j++) {
        sim[i][j] = dice(grams.get(ra[0] + i), grams.get(rb[0] + j));
      }
    }
    for (int i = 1; i <= na; i++) {
      for (int j = 1; j <= nb; j++) {
        double match = sim[i - 1][j - 1] >= MIN_SIMILARITY ? gain[i - 1][j - 1] + sim[i - 1][j - 1] : -1;
        gain[i][j] = Math.max(match, Math.max(gain[i - 1][j], gain[i][j - 1]));
      }
    }
    List<int[]> pairs = new ArrayList<>();
    for (int i = na, j = nb; i > 0 && j > 0; ) {
      if (sim[i - 1][j - 1] >= MIN_SIMILARITY && gain[i][j] == gain[i - 1][j - 1] + sim[i - 1][j - 1]) {
        pairs.add(new int[] {ra[0] + i - 1, rb[0] + j - 1});
        i--;
        j--;
      } else if (gain[i][j] == gain[i - 1][j]) {
        i--;
      } else {
        j--;
      }
    }
    return pairs;
  }

  static double dice(Set<String> a, Set<String> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return 0;
    }
    int shared = 0;
    for (String g : a.size() < b.size() ? a : b) {
      shared += (a.size() < b.size() ? b : a).contains(g) ? 1 : 0;
    }
    return 2.0 * shared / (a.size() + b.size());
  }

  static Set<String> trigrams(String normalized) {
    String s = " " + normalized.replaceAll("[^\\p{L}\\p{N}]+", " ").trim() + " ";
    Set<String> out = new HashSet<>();
    for (int i = 0; i + 3 <= s.length(); i++) {
      out.add(s.substring(i, i + 3));
    }
    return out;
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  /** Prints the groups of more than one prompt, and how many prompts sit in groups of each size. */
  public static void main(String[] args) {
    List<LabelledText> all = io.ganglion.reflex.injection.InjectionDataset.bundled();
    int[] group = of(all);
    java.util.Map<Integer, List<Integer>> byGroup = new java.util.TreeMap<>();
    for (int i = 0; i < group.length; i++) {
      byGroup.computeIfAbsent(group[i], g -> new ArrayList<>()).add(i);
    }
    java.util.Map<Integer, Integer> sizes = new java.util.TreeMap<>();
    byGroup.values().forEach(m -> sizes.merge(m.size(), m.size(), Integer::sum));
    System.out.println("prompts by group size: " + sizes + " (" + byGroup.size() + " groups)");
    if (args.length > 0) {
      int shown = 0;
      for (List<Integer> m : byGroup.values()) {
        if (m.size() > 1 && shown++ < Integer.parseInt(args[0])) {
          System.out.println("--");
          m.forEach(i -> System.out.println("  [" + all.get(i).lang() + "] " + all.get(i).text()));
        }
      }
    }
  }
}
