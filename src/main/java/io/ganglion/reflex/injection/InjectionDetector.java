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
 *       {@code 1 - (1 - p) * prod(1 - weight)} — so a rule lifts the score without ever lowering it; without a rule,
 *       the {@link TriggerObjects object of the trigger words} lowers it (every object the user's) or lifts it. Outside
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
  private final InjectionRules passageRules = InjectionRules.passageOnly();
  private final InjectionRules translationRequest = new InjectionRules(List.of(InjectionRules.TRANSLATION_IN_A_PASSAGE));
  private final ExemplarIndex exemplars;
  private final String version;
  private final double benignObjectWeight;
  private final double attackObjectWeight;

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
    this(classifier, rules, exemplars, modelVersion, BENIGN_OBJECT_WEIGHT, ATTACK_OBJECT_WEIGHT);
  }

  private InjectionDetector(InjectionClassifier classifier, InjectionRules rules, ExemplarIndex exemplars,
                            String modelVersion, double benignObjectWeight, double attackObjectWeight) {
    this.classifier = classifier;
    this.rules = rules;
    this.exemplars = exemplars;
    this.benignObjectWeight = benignObjectWeight;
    this.attackObjectWeight = attackObjectWeight;
    this.modelVersion = modelVersion;
    this.version = TextNormalizer.VERSION + "/" + InjectionRules.VERSION + "/" + TriggerObjects.VERSION + "/"
      + modelVersion + (exemplars == null ? "" : "/exemplars-" + exemplars.size());
  }

  private final String modelVersion;

  /**
   * This detector with other weights for the {@link TriggerObjects object reading} (for choosing them by
   * cross-validation): {@code benign} divides the first stage's odds by {@code exp(benign)} when every trigger has a
   * benign object and no rule fired; {@code attack} is the noisy-or weight of a trigger with an attack object that no
   * rule caught. 0 turns either off.
   */
  public InjectionDetector withObjectWeights(double benign, double attack) {
    return new InjectionDetector(classifier, rules, exemplars, modelVersion, benign, attack);
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

  /**
   * Trains a detector on {@code examples}: the classifier on them and on the attacks
   * {@linkplain InjectionAugmentation#planted planted} into their long benign passages, the exemplars on
   * {@code examples} alone, the built-in rules. Blocks.
   */
  public static InjectionDetector train(List<LabelledText> examples, long seed) {
    List<LabelledText> classifierSet = new ArrayList<>(examples);
    classifierSet.addAll(InjectionAugmentation.planted(examples));
    return new InjectionDetector(InjectionTrainer.train(classifierSet, seed), InjectionRules.builtIn(),
      new ExemplarIndex(examples), "ngram-" + fingerprint(classifierSet, seed));
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
    return detect(text, t, override, false);
  }

  /**
   * {@link #detect(String, CascadeThresholds, InjectionOverride)} for a passage on its way into a model's context (a
   * document chunk, a tool result). A passage is long and third-person, unlike the prompts the stages learnt from, and
   * an instruction hidden in it is one sentence among benign ones, so besides the whole passage each of its sentences
   * is scored on its own:
   * <ul>
   *   <li>with the {@linkplain InjectionRules#passageOnly rules} only a passage can break (calling on the AI by name,
   *       which a prompt does innocently), on the whole passage and on each sentence;</li>
   *   <li>a sentence's exemplar vote counts in proportion to its nearest example's similarity up to
   *       {@value #SENTENCE_SIMILARITY} (a sentence resembling no example has no neighbours worth a vote);</li>
   *   <li>a sentence flags the passage only {@value #SENTENCE_MARGIN} above the threshold: its score minus the margin
   *       is the passage's when that is higher than the whole passage's, since a passage of many sentences gives chance
   *       as many tries.</li>
   * </ul>
   * The margin and similarity were chosen on half of a corpus of scientific abstracts (benign) and the training
   * attacks planted into it by cross-validation (bench/RESULTS.md, {@code PassageScreeningEvaluation}), and so was the
   * band: a passage is screened with {@link CascadeThresholds#forPassages} around {@code prompts}' threshold.
   */
  public InjectionVerdict detectPassage(String text, CascadeThresholds prompts, InjectionOverride override) {
    CascadeThresholds t = prompts.forPassages();
    String normalized = normalized(text, override);
    InjectionVerdict whole = cascade(normalized, t, true, 0);
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = normalized.indexOf(". "); i >= 0; i = normalized.indexOf(". ", i + 1)) {
      starts.add(i + 2);
    }
    if (starts.size() < 2) {
      return whole;
    }
    starts.add(normalized.length());
    InjectionVerdict best = whole;
    int sentences = starts.size() - 1;
    for (int k = 0; k < sentences; k++) {
      String sentence = normalized.substring(starts.get(k), starts.get(k + 1));
      InjectionVerdict v = cascade(sentence, t, true, SENTENCE_SIMILARITY);
      double score = v.score() - SENTENCE_MARGIN;
      if (score > best.score()) {
        best = new InjectionVerdict(score, v.modelScore(), v.rules(), v.families(), v.objects(), v.stage(),
          v.exemplarScore(), -1, v.nearest(), "sentence " + (k + 1) + " of " + sentences, version);
      }
    }
    return best;
  }

  /**
   * How strongly a benign object lowers the first stage ({@link #withObjectWeights}): the odds are divided by
   * {@code exp} of it. Chosen by cross-validation on the training set (bench/RESULTS.md, {@code ObjectSweep}).
   */
  public static final double BENIGN_OBJECT_WEIGHT = 2.0;
  /** The noisy-or weight of an attack object no rule caught ({@link #withObjectWeights}); chosen with the one above. */
  public static final double ATTACK_OBJECT_WEIGHT = 0.5;

  /** How far above the threshold one sentence of a passage must score to flag it ({@link #detectPassage}). */
  public static final double SENTENCE_MARGIN = 0.2;
  /** Below this nearest-example similarity a sentence's exemplar vote is shrunk towards no opinion. */
  public static final double SENTENCE_SIMILARITY = 0.3;

  private String normalized(String text, InjectionOverride override) {
    String normalized = TextNormalizer.normalize(text);
    if (override != null && !override.allow().isEmpty()) {
      normalized = override.blankAllowed(normalized);
    }
    return normalized;
  }

  private InjectionVerdict detect(String text, CascadeThresholds t, InjectionOverride override, boolean passage) {
    return cascade(normalized(text, override), t, passage, 0);
  }

  /**
   * The stages on {@code normalized}; {@code passage} adds the passage-only rules, and a positive {@code similarity}
   * shrinks the exemplar vote towards 0.5 when the nearest example is less similar than that.
   */
  private InjectionVerdict cascade(String normalized, CascadeThresholds t, boolean passage, double similarity) {
    double model = classifier.score(normalized);
    List<InjectionRules.Rule> hits = rules.matching(normalized);
    if (passage) {
      List<InjectionRules.Rule> more = passageRules.matching(normalized);
      if (!more.isEmpty()) {
        hits = new ArrayList<>(hits);
        hits.addAll(more);
      }
    }
    TriggerObjects.Reading objects = TriggerObjects.read(normalized);
    if (passage && (!hits.isEmpty() || objects.addressed() > 0) && !translationRequest.matching(normalized).isEmpty()) {
      // a passage asking for a translation or summary and carrying an instruction to the model
      hits = new ArrayList<>(hits);
      hits.add(InjectionRules.TRANSLATION_IN_A_PASSAGE);
    }
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
    if (hits.isEmpty() && objects.allBenign() && benignObjectWeight > 0) {
      // "forget the formal tone", "ignore my earlier question": the object is the user's, not the model's
      // the odds divided by e^weight, written so that a score of exactly 0 or 1 stays one
      first = first / (first + (1 - first) * Math.exp(benignObjectWeight));
    } else if (hits.isEmpty() && objects.attack() > 0 && attackObjectWeight > 0) {
      // "forget your rules" in words no rule was written for
      first = 1 - (1 - first) * (1 - attackObjectWeight);
    }
    if (first < t.ngramLow() || first >= t.ngramHigh() || exemplars == null) {
      return new InjectionVerdict(first, model, names, families, objects.notes(), hits.isEmpty() ? "ngram" : "rules", -1,
        -1, null, null, version);
    }
    ExemplarIndex.Match match = exemplars.match(normalized);
    double vote = similarity <= 0 ? match.score()
      : 0.5 + (match.score() - 0.5) * Math.min(1, match.similarity() / similarity);
    double mean = (first + vote) / 2;
    return new InjectionVerdict(mean, model, names, families, objects.notes(), "exemplars", vote, -1, match.nearest(),
      null, version);
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
