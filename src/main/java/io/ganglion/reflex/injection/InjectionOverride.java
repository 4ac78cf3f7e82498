package io.ganglion.reflex.injection;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A team's exception to the injection policy, for a tenant, a knowledge base, or both ({@code null} = any): its own
 * threshold, and phrases it allows — a security team's knowledge base quotes attacks, and its users ask about them.
 * An allowed phrase is blanked out of the normalised text before the detectors read it, so the rest of the text is
 * still judged. The most specific override applies: tenant and knowledge base, then knowledge base, then tenant.
 *
 * @param tenant the tenant it applies to, or null for every tenant
 * @param kb the knowledge base it applies to, or null for every knowledge base
 * @param threshold the threshold to decide with instead of the configured one, or null to keep it
 * @param allow patterns (case-insensitive, matched against the normalised text) to blank out before detection
 */
public record InjectionOverride(String tenant, String kb, Double threshold, List<Pattern> allow) {

  public InjectionOverride {
    allow = List.copyOf(allow);
  }

  /** How specific this override is for a request of {@code tenant} and {@code kb}: -1 when it does not apply. */
  public int specificity(String requestTenant, String requestKb) {
    if ((tenant != null && !tenant.equals(requestTenant)) || (kb != null && !kb.equals(requestKb))) {
      return -1;
    }
    return (tenant != null ? 1 : 0) + (kb != null ? 2 : 0);
  }

  /** The override among {@code overrides} for {@code tenant} and {@code kb}, or null. */
  public static InjectionOverride select(List<InjectionOverride> overrides, String tenant, String kb) {
    InjectionOverride best = null;
    int bestScore = -1;
    for (InjectionOverride o : overrides) {
      int s = o.specificity(tenant, kb);
      if (s > bestScore) {
        best = o;
        bestScore = s;
      }
    }
    return best;
  }

  /** {@code normalized} with every allowed phrase replaced by spaces. */
  public String blankAllowed(String normalized) {
    String out = normalized;
    for (Pattern p : allow) {
      out = p.matcher(out).replaceAll(" ");
    }
    return out;
  }
}
