package io.ganglion.reflex.injection;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Prompt-injection and jailbreak detection, the in-process stages of the cascade, cheapest first, on the
 * {@link TextNormalizer normalised} text:
 * <ol>
 *   <li><b>rules and n-grams</b>: the classifier's probability combined with the rules that fire, as a noisy-or —
 *       {@code 1 - (1 - p) * prod(1 - weight)} — so a rule lifts the score without ever lowering it. Outside
 *       {@code [ngramLow, ngramHigh)} this decides (stage {@code rules} when a rule fired, else {@code ngram});</li>
 *   <li><b>exemplars</b>: inside that band, the nearest training examples vote ({@link ExemplarIndex}); the mean of
 *       both scores decides outside {@code [exemplarLow, exemplarHigh)};</li>
 *   <li>still inside, the verdict is {@linkplain #uncertain uncertain}: the reflex verticle asks the embedding
 *       classifier when one is configured (its {@code EmbeddingStage}); without it the mean decides.</li>
 * </ol>
 * <p>
 * <b>NOTE</b>: immutable and thread-safe; a typical prompt costs tens of microseconds on the event loop.
 */
public final class InjectionDetector {

  private final InjectionClassifier classifier;
  private final InjectionRules rules;
  private final ExemplarIndex exemplars;
  private final String version;

  /** Rules and classifier only (no exemplar stage). */
  public InjectionDetector(InjectionClassifier classifier, InjectionRules rules) {
    this(classifier, rules, null, "ngram");
  }

  /**
   * @param exemplars the exemplar stage, or {@code null} to skip it
   * @param modelVersion names the classifier's training data and seed, for {@link #version}
   */
  public InjectionDetector(InjectionClassifier classifier, InjectionRules rules, ExemplarIndex exemplars,
                           String modelVersion) {
    this.classifier = classifier;
    this.rules = rules;
    this.exemplars = exemplars;
    this.version = TextNormalizer.VERSION + "/" + InjectionRules.VERSION + "/" + modelVersion
      + (exemplars == null ? "" : "/exemplars-" + exemplars.size());
  }

  /**
   * The detector trained on {@link InjectionDataset#training()} with the default seed, with the built-in rules and
   * the training examples as exemplars. Trained once per JVM on first call and then shared.
   * <p>
   * <b>NOTE</b>: the first call <b>blocks</b> for the training (about a second); make it from a worker or during
   * start, never on an event loop.
   */
  public static InjectionDetector bundled() {
    return Bundled.DETECTOR;
  }

  /** Trains a detector on {@code examples}: classifier, exemplars, built-in rules. Blocks. */
  public static InjectionDetector train(List<LabelledText> examples, long seed) {
    return new InjectionDetector(InjectionTrainer.train(examples, seed), InjectionRules.builtIn(),
      new ExemplarIndex(examples), "ngram-" + fingerprint(examples, seed));
  }

  /** Normaliser, rules, classifier and exemplar versions, such as {@code norm-2/rules-2/ngram-1a2b3c4d/exemplars-1400}. */
  public String version() {
    return version;
  }

  /** Scores {@code text} with the default thresholds. */
  public InjectionVerdict detect(String text) {
    return detect(text, CascadeThresholds.DEFAULTS);
  }

  /** Runs the in-process stages on {@code text}. */
  public InjectionVerdict detect(String text, CascadeThresholds t) {
    return detect(text, t, null);
  }

  /** Runs the in-process stages on {@code text}, with the phrases {@code override} allows blanked out first. */
  public InjectionVerdict detect(String text, CascadeThresholds t, InjectionOverride override) {
    String normalized = TextNormalizer.normalize(text);
    if (override != null && !override.allow().isEmpty()) {
      normalized = override.blankAllowed(normalized);
    }
    double model = classifier.score(normalized);
    List<InjectionRules.Rule> hits = rules.matching(normalized);
    double notInjection = 1 - model;
    List<String> names = new ArrayList<>(hits.size());
    List<String> families = new ArrayList<>(hits.size());
    for (InjectionRules.Rule r : hits) {
      notInjection *= 1 - r.weight();
      names.add(r.name());
      if (!families.contains(r.family())) {
        families.add(r.family());
      }
    }
    double first = 1 - notInjection;
    if (first < t.ngramLow() || first >= t.ngramHigh() || exemplars == null) {
      return new InjectionVerdict(first, model, names, families, hits.isEmpty() ? "ngram" : "rules", -1, -1, null, null,
        version);
    }
    ExemplarIndex.Match match = exemplars.match(normalized);
    double mean = (first + match.score()) / 2;
    return new InjectionVerdict(mean, model, names, families, "exemplars", match.score(), -1, match.nearest(), null,
      version);
  }

  /** True when {@code verdict} came out of the exemplar stage inside its band: the embedding stage should decide. */
  public static boolean uncertain(InjectionVerdict verdict, CascadeThresholds t) {
    return verdict.stage().equals("exemplars") && verdict.score() >= t.exemplarLow() && verdict.score() < t.exemplarHigh();
  }

  private static String fingerprint(List<LabelledText> examples, long seed) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (LabelledText e : examples) {
        sha.update((e.label() + '\t' + e.text() + '\n').getBytes(StandardCharsets.UTF_8));
      }
      sha.update(Long.toString(seed).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest(), 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // the holder idiom: the JVM initializes this class once, on first use, thread-safely
  private static final class Bundled {
    static final InjectionDetector DETECTOR = train(InjectionDataset.training(), InjectionTrainer.DEFAULT_SEED);
  }
}
