package io.ganglion.reflex;

import io.ganglion.reflex.injection.CascadeThresholds;
import io.ganglion.reflex.injection.InjectionDetector;
import io.ganglion.reflex.injection.InjectionOverride;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.ganglion.reflex.injection.InjectionVerdict;
import io.ganglion.reflex.pii.Finding;
import io.ganglion.reflex.pii.PatternDetector;
import io.ganglion.reflex.pii.PhoneDetector;
import io.ganglion.reflex.pii.PiiAction;
import io.ganglion.reflex.pii.PiiDetector;
import io.ganglion.reflex.pii.PiiPolicy;
import io.ganglion.reflex.pii.PiiScanner;
import io.ganglion.reflex.pii.Redactor;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The reflex layer's one entry point: PII detection and redaction plus injection detection for a text travelling in
 * a direction. Built once from {@link ReflexConfig} at start and shared.
 * <p>
 * Cost: tens of microseconds for a typical prompt of a few hundred characters, linear in the text; no I/O and no
 * locks. Injection detection runs on the original text (masking would hide what the attack says), PII offsets
 * refer to the original text too. In shadow mode ({@code reflex.injection.shadow}) the injection verdict is computed
 * and reported but never changes the action.
 * <p>
 * <b>NOTE</b>: immutable and thread-safe; {@link #inspect} runs on the event loop. Construction is cheap once the
 * {@link InjectionDetector} exists; obtaining {@link InjectionDetector#bundled()} the first time blocks for training.
 */
public final class Inspector {

  /** Changes whenever a PII detector changes what it finds (a new type, a new format read, a validator). */
  static final String PII_VERSION = "pii-2";

  private final ReflexConfig config;
  private final PiiScanner scanner;
  private final PiiPolicy policy;
  private final InjectionDetector injection;
  private final byte[] salt;

  public Inspector(ReflexConfig config, InjectionDetector injection) {
    this.config = config;
    this.injection = injection;
    List<PiiDetector> custom = new ArrayList<>();
    for (ReflexConfig.CustomPattern p : config.custom()) {
      custom.add(new PatternDetector(p.name(), p.pattern(), p.score()));
    }
    this.scanner = config.piiEnabled()
      ? PiiScanner.withBuiltIns(config.entropyMinLength(), config.entropyBitsPerChar(),
        new PhoneDetector(config.phoneRegions(), config.phoneLeniency()), custom)
      : new PiiScanner(List.of());
    this.policy = new PiiPolicy(config.piiActions(), config.piiFallback());
    this.salt = config.hashSalt().isEmpty() ? randomSalt() : config.hashSalt().getBytes(StandardCharsets.UTF_8);
  }

  /** Inspects {@code text} as one request of its own (placeholders numbered from 1). */
  public Inspection inspect(String text, Direction direction) {
    return inspect(text, direction, newRedactor(direction));
  }

  /**
   * Inspects {@code text} with a request's {@code redactor}, so that several texts of one request (the messages of
   * a chat) share placeholder numbering: the same email is {@code [EMAIL_1]} in all of them.
   */
  public Inspection inspect(String text, Direction direction, Redactor redactor) {
    return inspect(text, direction, redactor, null, null);
  }

  /**
   * Inspects {@code text} for a request of {@code tenant} about knowledge base {@code kb} (either may be null): the
   * injection override configured for them, if any, sets the threshold and the allowed phrases.
   */
  public Inspection inspect(String text, Direction direction, Redactor redactor, String tenant, String kb) {
    List<Finding> findings = scanner.scan(text);
    List<PiiAction> actions = new ArrayList<>(findings.size());
    List<String> reasons = new ArrayList<>(0);
    InspectionAction outcome = InspectionAction.ALLOW;
    for (Finding f : findings) {
      PiiAction a = redactor.actionFor(f);
      actions.add(a);
      if (a == PiiAction.BLOCK) {
        outcome = InspectionAction.BLOCK;
        if (!reasons.contains("pii:" + f.type())) {
          reasons.add("pii:" + f.type());
        }
      } else if (a != PiiAction.ALLOW) {
        outcome = outcome.max(InspectionAction.REDACT);
      }
    }
    String redacted = redactor.redact(text, findings);

    boolean checkInjection = config.injectionEnabled() && config.injectionDirections().contains(direction);
    InjectionOverride override = checkInjection ? InjectionOverride.select(config.injectionOverrides(), tenant, kb) : null;
    CascadeThresholds thresholds = override != null && override.threshold() != null
      ? config.cascade().at(override.threshold()) : config.cascade();
    InjectionVerdict verdict = checkInjection ? injection.detect(text, thresholds, override) : InjectionVerdict.NOT_CHECKED;
    boolean enforced = checkInjection && !config.injectionShadow();
    if (enforced && verdict.score() >= thresholds.threshold()) {
      reasons.add("injection");
      outcome = outcome.max(config.injectionAction() == InjectionAction.BLOCK
        ? InspectionAction.BLOCK : InspectionAction.FLAG);
    }
    return new Inspection(outcome, direction, redacted, findings, actions, verdict, checkInjection,
      thresholds.threshold(), reasons, enforced, override != null);
  }

  /**
   * Injection verdicts for untrusted passages on their way into a model's context (indirect injection), checked
   * whatever {@code reflex.injection.directions} says; {@code tenant} and {@code kb} select an override as for
   * {@link #inspect}.
   *
   * @return {@code {"checked","enforced","threshold","version","policy","passages":[{"injection","score","rules",
   *         "families","stage"}]}}, one entry per text, in order
   */
  public JsonObject inspectPassages(List<String> texts, String tenant, String kb) {
    return inspectPassages(texts, null, tenant, kb);
  }

  /**
   * {@link #inspectPassages(List, String, String)} reusing the verdicts recorded when the passages were ingested:
   * {@code marks} (aligned with {@code texts}, or {@code null}) holds each passage's recorded verdict or {@code null};
   * one whose {@code version} is this detector's {@link #markVersion} for {@code tenant} and {@code kb} is used as it
   * is ({@code "source":"ingest"}), any other passage is inspected now ({@code "source":"ask"}). The reply's
   * {@code markVersion} is what a verdict recorded now must carry.
   */
  public JsonObject inspectPassages(List<String> texts, List<JsonObject> marks, String tenant, String kb) {
    JsonObject reply = new JsonObject().put("checked", config.injectionEnabled())
      .put("enforced", config.injectionEnabled() && !config.injectionShadow())
      .put("version", injection.version()).put("policy", config.indirectAction().wireName());
    InjectionOverride override = InjectionOverride.select(config.injectionOverrides(), tenant, kb);
    CascadeThresholds thresholds = override != null && override.threshold() != null
      ? config.cascade().at(override.threshold()) : config.cascade();
    String markVersion = markVersion(thresholds, override);
    reply.put("threshold", thresholds.threshold()).put("markVersion", markVersion);
    JsonArray passages = new JsonArray();
    for (int i = 0; i < texts.size(); i++) {
      if (!config.injectionEnabled()) {
        passages.add(new JsonObject().put("injection", false));
        continue;
      }
      JsonObject mark = marks == null || i >= marks.size() ? null : marks.get(i);
      if (mark != null && markVersion.equals(mark.getString("version"))) {
        passages.add(mark.copy().put("source", "ingest"));
        continue;
      }
      InjectionVerdict v = injection.detectPassage(texts.get(i), thresholds, override);
      passages.add(new JsonObject().put("injection", v.score() >= thresholds.threshold()).put("score", v.score())
        .put("rules", new JsonArray(v.rules())).put("families", new JsonArray(v.families())).put("stage", v.stage())
        .put("source", "ask"));
    }
    return reply.put("passages", passages);
  }

  /**
   * The {@code markVersion} of {@link #inspectPassages(List, List, String, String)}'s reply for {@code tenant} and
   * {@code kb}: what a passage verdict must carry to be used as it is.
   */
  public String markVersion(String tenant, String kb) {
    InjectionOverride override = InjectionOverride.select(config.injectionOverrides(), tenant, kb);
    CascadeThresholds thresholds = override != null && override.threshold() != null
      ? config.cascade().at(override.threshold()) : config.cascade();
    return markVersion(thresholds, override);
  }

  /**
   * How many of {@code texts} passages {@link #inspectPassages(List, List, String, String)} would inspect now: those
   * without a recorded verdict in {@code marks} or with one recorded under other settings (another detector version,
   * thresholds or override), such as every chunk ingested before a detector upgrade.
   */
  public int toInspect(int texts, List<JsonObject> marks, String tenant, String kb) {
    if (!config.injectionEnabled()) {
      return 0;
    }
    if (marks == null) {
      return texts;
    }
    String current = markVersion(tenant, kb);
    int n = 0;
    for (int i = 0; i < texts; i++) {
      JsonObject mark = i < marks.size() ? marks.get(i) : null;
      n += mark != null && current.equals(mark.getString("version")) ? 0 : 1;
    }
    return n;
  }

  /**
   * What a recorded passage verdict is valid for: this detector's version, the thresholds and the override (allowlist)
   * that apply to the tenant and knowledge base — a digest, so a verdict recorded under other settings is re-made.
   */
  private String markVersion(CascadeThresholds thresholds, InjectionOverride override) {
    String basis = injection.version() + "|" + thresholds + "|" + (override == null ? "" : override.threshold() + "|"
      + override.allow().stream().map(java.util.regex.Pattern::pattern).toList());
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(basis.getBytes(StandardCharsets.UTF_8));
      return injection.version() + "/" + java.util.HexFormat.of().formatHex(digest, 0, 6);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The injection detector's version ({@link InjectionDetector#version()}), for traces and cached answers. */
  public String injectionVersion() {
    return injection.version() + (config.injectionShadow() ? "/shadow" : "");
  }

  /**
   * The versions of everything that decides besides the configuration: the PII detectors' and the injection detector's
   * ({@link io.ganglion.reflex.impl.PolicyVersion} digests them with the settings).
   */
  public String detectorVersions() {
    return PII_VERSION + "/" + injection.version();
  }

  /** A redactor for one request in {@code direction}; keep it for the request's lifetime and drop it after. */
  public Redactor newRedactor(Direction direction) {
    return new Redactor(policy, direction, salt);
  }

  private static byte[] randomSalt() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
