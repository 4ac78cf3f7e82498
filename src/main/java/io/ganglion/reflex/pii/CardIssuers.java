package io.ganglion.reflex.pii;

/**
 * Issuer identification number ranges of the payment card networks and the card lengths each issues, from the
 * networks' published ranges (ISO/IEC 7812 IINs): Visa, Mastercard (51–55 and the 2-series), American Express,
 * Diners Club, JCB, Discover, UnionPay, Maestro (12 to 19 digits), Mir, RuPay, Troy, Verve, Dankort, Elo,
 * Hipercard, InterPayment, InstaPayment, UATP, BORICA, Humo, UzCard, LankaPay and GPN.
 * <p>
 * A number is a card number only when one of these ranges covers its first digits and allows its length; together
 * with the Luhn check this rejects about 19 in 20 random digit runs of card length.
 */
final class CardIssuers {

  private CardIssuers() {
  }

  // prefix or prefix range (both ends the same number of digits) : allowed lengths ("a-b" or a list)
  private static final String RANGES =
    "4:13,16,19"                                    // Visa (Electron, Dankort co-brands)
      + " 51-55:16 2221-2720:16"                    // Mastercard
      + " 34:15 37:15"                              // American Express
      + " 300-305:14-19 3095:14-19 36:14-19 38-39:14-19" // Diners Club International
      + " 3528-3589:16-19"                          // JCB
      + " 6011:16-19 644-649:16-19 65:16-19 622126-622925:16-19" // Discover
      + " 62:16-19 8100-8171:16-19"                 // UnionPay
      + " 5018:12-19 5020:12-19 5038:12-19 5893:12-19 6304:12-19 6759:12-19 6761-6763:12-19" // Maestro
      + " 676770:12-19 676774:12-19 56-58:12-19 6390:16"  // Maestro UK, Maestro (56-58)
      + " 5019:16"                                  // Dankort
      + " 2200-2204:16-19"                          // Mir
      + " 60:16 81:16 82:16 508:16 353:16 356:16"   // RuPay
      + " 9792:16"                                  // Troy
      + " 506099-506198:16,18,19 650002-650027:16,18,19 507865-507964:16,18,19" // Verve
      + " 509:16 5067:16 6277:16 6362-6363:16 6504-6505:16 6516:16 6550:16" // Elo
      + " 606282:16 3841:16,19"                     // Hipercard
      + " 636:16-19 637-639:16"                     // InterPayment, InstaPayment
      + " 1:15"                                     // UATP
      + " 2205:16"                                  // BORICA
      + " 9860:16 8600:16"                          // Humo, UzCard
      + " 357111:16"                                // LankaPay
      + " 1946:16,18,19 50:16,18,19 63:16,18,19";   // GPN

  private record Range(int digits, int low, int high, int lengths) {
  }

  private static final Range[] TABLE = parse();

  /** True when some issuer range covers the first digits of {@code d} and allows a card of {@code n} digits. */
  static boolean issues(int[] d, int n) {
    for (Range r : TABLE) {
      if ((r.lengths & (1 << n)) == 0 || n < r.digits) {
        continue;
      }
      int prefix = 0;
      for (int i = 0; i < r.digits; i++) {
        prefix = prefix * 10 + d[i];
      }
      if (prefix >= r.low && prefix <= r.high) {
        return true;
      }
    }
    return false;
  }

  private static Range[] parse() {
    String[] entries = RANGES.trim().split(" +");
    Range[] table = new Range[entries.length];
    for (int i = 0; i < entries.length; i++) {
      String[] parts = entries[i].split(":");
      String[] bounds = parts[0].split("-");
      int lengths = 0;
      for (String l : parts[1].split(",")) {
        String[] span = l.split("-");
        int from = Integer.parseInt(span[0]);
        int to = span.length == 2 ? Integer.parseInt(span[1]) : from;
        for (int len = from; len <= to; len++) {
          lengths |= 1 << len;
        }
      }
      table[i] = new Range(bounds[0].length(), Integer.parseInt(bounds[0]),
        Integer.parseInt(bounds[bounds.length - 1]), lengths);
    }
    return table;
  }
}
