package io.ganglion.reflex;

import io.ganglion.reflex.injection.InjectionDetector;
import io.ganglion.reflex.injection.InjectionVerdict;
import io.ganglion.reflex.pii.Finding;
import io.ganglion.reflex.pii.PatternDetector;
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
 * Cost: a few microseconds for a typical prompt of a few hundred characters, linear in the text; no I/O and no
 * locks. Injection detection runs on the original text (masking would hide what the attack says), PII offsets
 * refer to the original text too.
 * <p>
 * <b>NOTE</b>: immutable and thread-safe; {@link #inspect} runs on the event loop. Construction is cheap once the
 * {@link InjectionDetector} exists; obtaining {@link InjectionDetector#bundled()} the first time blocks for training.
 */
public final class Inspector {

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
      ? PiiScanner.withBuiltIns(config.entropyMinLength(), config.entropyBitsPerChar(), custom)
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
    InjectionVerdict verdict = checkInjection ? injection.detect(text) : InjectionVerdict.NOT_CHECKED;
    if (checkInjection && verdict.score() >= config.injectionThreshold()) {
      reasons.add("injection");
      outcome = outcome.max(config.injectionAction() == InjectionAction.BLOCK
        ? InspectionAction.BLOCK : InspectionAction.FLAG);
    }
    return new Inspection(outcome, direction, redacted, findings, actions, verdict, checkInjection,
      config.injectionThreshold(), reasons);
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
