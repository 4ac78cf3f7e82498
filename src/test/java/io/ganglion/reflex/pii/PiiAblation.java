package io.ganglion.reflex.pii;

import com.google.i18n.phonenumbers.PhoneNumberUtil.Leniency;
import io.ganglion.reflex.pii.eval.PiiEvalSet;
import io.ganglion.reflex.pii.eval.PiiEvaluation;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What each validator buys: the PII evaluation set scored with the full detectors and with one check left out at a
 * time (issuer table, Luhn, IBAN structure, mod-97, SSN ranges, phone validity). {@code main} prints a Markdown table
 * of recall and precision for the type each check belongs to.
 */
public final class PiiAblation {

  private PiiAblation() {
  }

  public static void main(String[] args) {
    String split = args.length > 0 ? args[0] : "report";
    List<PiiEvalSet.Sample> samples = PiiEvalSet.load(split);
    Map<String, List<PiiDetector>> variants = new java.util.LinkedHashMap<>();
    variants.put("all checks", List.of());
    variants.put("cards without issuer table", List.of(new PaymentCardDetector(false, true)));
    variants.put("cards without Luhn", List.of(new PaymentCardDetector(true, false)));
    variants.put("cards without either", List.of(new PaymentCardDetector(false, false)));
    variants.put("IBAN without BBAN structure", List.of(new IbanDetector(false, true)));
    variants.put("IBAN without mod-97", List.of(new IbanDetector(true, false)));
    variants.put("SSN without issuance ranges", List.of(new SsnDetector(false)));
    variants.put("phones at leniency POSSIBLE", List.of(new PhoneDetector(PhoneDetector.DEFAULT_REGIONS, Leniency.POSSIBLE)));
    System.out.println("| variant | type | recall | precision | false positives |\n|---|---|---|---|---|");
    variants.forEach((name, replaced) -> {
      PiiScanner scanner = new PiiScanner(detectors(replaced));
      PiiEvaluation.Report r = PiiEvaluation.evaluate(samples, scanner::scan);
      for (String type : List.of("credit_card", "iban", "ssn", "phone")) {
        PiiEvaluation.Counts c = r.byType().get(type);
        if (c == null || (!name.equals("all checks") && !name.toLowerCase(Locale.ROOT).startsWith(prefix(type)))) {
          continue;
        }
        System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %.3f | %d |%n", name, type, c.recall(), c.precision(),
          c.falsePositives);
      }
    });
  }

  private static String prefix(String type) {
    return switch (type) {
      case "credit_card" -> "cards";
      case "iban" -> "iban";
      case "ssn" -> "ssn";
      default -> "phones";
    };
  }

  private static List<PiiDetector> detectors(List<PiiDetector> replaced) {
    List<PiiDetector> all = new java.util.ArrayList<>(List.of(new EmailDetector(), new PaymentCardDetector(),
      new IbanDetector(), new SsnDetector(), new PhoneDetector(), new IpAddressDetector(), new ApiKeyDetector(),
      new EntropyTokenDetector(24, 4.0)));
    for (PiiDetector r : replaced) {
      all.replaceAll(d -> d.getClass() == r.getClass() ? r : d);
    }
    return all;
  }
}
