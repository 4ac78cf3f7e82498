package io.ganglion.reflex.injection;

import java.util.ArrayList;
import java.util.List;

/**
 * Prompt-injection and jailbreak detection: the classifier's probability combined with the rules that fire, as a
 * noisy-or — {@code 1 - (1 - p) * prod(1 - weight)} — so a rule lifts the score without ever lowering it, and
 * several weak signals add up.
 * <p>
 * <b>NOTE</b>: immutable and thread-safe; a typical prompt costs a few microseconds on the event loop.
 */
public final class InjectionDetector {

  private final InjectionClassifier classifier;
  private final InjectionRules rules;

  public InjectionDetector(InjectionClassifier classifier, InjectionRules rules) {
    this.classifier = classifier;
    this.rules = rules;
  }

  /**
   * The detector trained on the bundled dataset with the default seed, with the built-in rules. Trained once per
   * JVM on first call and then shared.
   * <p>
   * <b>NOTE</b>: the first call <b>blocks</b> for the training (well under a second warm, about a second cold); make
   * it from a worker or during start, never on an event loop.
   */
  public static InjectionDetector bundled() {
    return Bundled.DETECTOR;
  }

  /** Scores {@code text}. */
  public InjectionVerdict detect(String text) {
    double model = classifier.score(text);
    List<InjectionRules.Rule> hits = rules.matching(text);
    if (hits.isEmpty()) {
      return new InjectionVerdict(model, model, List.of());
    }
    double notInjection = 1 - model;
    List<String> names = new ArrayList<>(hits.size());
    for (InjectionRules.Rule r : hits) {
      notInjection *= 1 - r.weight();
      names.add(r.name());
    }
    return new InjectionVerdict(1 - notInjection, model, names);
  }

  // the holder idiom: the JVM initializes this class once, on first use, thread-safely
  private static final class Bundled {
    static final InjectionDetector DETECTOR = new InjectionDetector(
      InjectionTrainer.train(InjectionDataset.bundled(), InjectionTrainer.DEFAULT_SEED), InjectionRules.builtIn());
  }
}
