package io.ganglion.reflex.pii;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Runs a fixed set of detectors over a text and returns non-overlapping findings in text order.
 * <p>
 * Overlaps are resolved greedily and deterministically: the higher score wins, then the longer span, then the
 * earlier start, then the type name. So a Luhn-valid card number beats the phone number its digits also spell,
 * and a prefixed API key beats the entropy detector's view of the same token.
 * <p>
 * <b>NOTE</b>: immutable and thread-safe; one instance serves every event loop.
 */
public final class PiiScanner {

  private static final Comparator<Finding> PRECEDENCE = Comparator.comparingDouble(Finding::score).reversed()
    .thenComparing(Comparator.comparingInt(Finding::length).reversed())
    .thenComparingInt(Finding::start)
    .thenComparing(Finding::type);

  private final List<PiiDetector> detectors;

  public PiiScanner(List<PiiDetector> detectors) {
    this.detectors = List.copyOf(detectors);
  }

  /**
   * The built-in detectors (every type in {@link PiiTypes}) followed by {@code custom} ones.
   *
   * @param entropyMinLength shortest token the entropy detector considers
   * @param entropyBitsPerChar Shannon entropy a token needs to count as a secret
   */
  public static PiiScanner withBuiltIns(int entropyMinLength, double entropyBitsPerChar, List<PiiDetector> custom) {
    return withBuiltIns(entropyMinLength, entropyBitsPerChar, new PhoneDetector(), custom);
  }

  /** As {@link #withBuiltIns(int, double, List)}, with {@code phones} reading phone numbers (its regions, leniency). */
  public static PiiScanner withBuiltIns(int entropyMinLength, double entropyBitsPerChar, PhoneDetector phones,
                                        List<PiiDetector> custom) {
    List<PiiDetector> all = new ArrayList<>(List.of(
      new EmailDetector(), new PaymentCardDetector(), new IbanDetector(), new SsnDetector(), phones,
      new IpAddressDetector(), new ApiKeyDetector(), new EntropyTokenDetector(entropyMinLength, entropyBitsPerChar)));
    all.addAll(custom);
    return new PiiScanner(all);
  }

  /** Non-overlapping findings in {@code text}, sorted by start. */
  public List<Finding> scan(String text) {
    List<Finding> candidates = new ArrayList<>();
    for (PiiDetector detector : detectors) {
      detector.detect(text, candidates);
    }
    return resolveOverlaps(candidates);
  }

  static List<Finding> resolveOverlaps(List<Finding> candidates) {
    if (candidates.size() < 2) {
      return candidates;
    }
    candidates.sort(PRECEDENCE);
    List<Finding> kept = new ArrayList<>(candidates.size());
    for (Finding candidate : candidates) {
      if (!overlapsAny(candidate, kept)) {
        kept.add(candidate);
      }
    }
    kept.sort(Comparator.comparingInt(Finding::start));
    return kept;
  }

  private static boolean overlapsAny(Finding candidate, List<Finding> kept) {
    for (Finding k : kept) {
      if (k.overlaps(candidate)) {
        return true;
      }
    }
    return false;
  }
}
