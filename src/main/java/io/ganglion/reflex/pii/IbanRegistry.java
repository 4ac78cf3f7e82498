package io.ganglion.reflex.pii;

/**
 * The IBAN formats of the SWIFT IBAN Registry (ISO 13616), as of its December 2024 release (Honduras and Yemen the
 * newest members): per country, the BBAN's structure in the registry's notation — {@code n} digits, {@code a} letters,
 * {@code c} letters or digits, each with a count — from which the IBAN length follows (country code, two check
 * digits, BBAN).
 * <p>
 * Checking the structure and not only the length turns away most letter-digit runs that happen to have the right
 * length and a passing mod-97 remainder (one in 97 does): a German IBAN is 18 digits after its check digits, a Dutch
 * one four letters and ten digits.
 */
final class IbanRegistry {

  private IbanRegistry() {
  }

  private static final String REGISTRY =
    "AD 4n4n12c|AE 3n16n|AL 8n16c|AT 5n11n|AZ 4a20c|BA 3n3n8n2n|BE 3n7n2n|BG 4a4n2n8c|BH 4a14c|BI 5n5n11n2n"
      + "|BR 8n5n10n1a1c|BY 4c4n16c|CH 5n12c|CR 4n14n|CY 3n5n16c|CZ 4n6n10n|DE 8n10n|DJ 5n5n11n2n|DK 4n9n1n"
      + "|DO 4c20n|EE 2n2n11n1n|EG 4n4n17n|ES 4n4n1n1n10n|FI 3n11n|FK 2a12n|FO 4n9n1n|FR 5n5n11c2n|GB 4a6n8n"
      + "|GE 2a16n|GI 4a15c|GL 4n9n1n|GR 3n4n16c|GT 4c20c|HN 4a20n|HR 7n10n|HU 3n4n1n15n1n|IE 4a6n8n|IL 3n3n13n"
      + "|IQ 4a3n12n|IS 4n2n6n10n|IT 1a5n5n12c|JO 4a4n18c|KW 4a22c|KZ 3n13c|LB 4n20c|LC 4a24c|LI 5n12c|LT 5n11n"
      + "|LU 3n13c|LV 4a13c|LY 3n3n15n|MC 5n5n11c2n|MD 2c18c|ME 3n13n2n|MK 3n10c2n|MN 4n12n|MR 5n5n11n2n"
      + "|MT 4a5n18c|MU 4a2n2n12n3n3a|NI 4a20n|NL 4a10n|NO 4n6n1n|OM 3n16c|PK 4a16c|PL 8n16n|PS 4a21c"
      + "|PT 4n4n11n2n|QA 4a21c|RO 4a16c|RS 3n13n2n|RU 9n5n15c|SA 2n18c|SC 4a2n2n16n3a|SD 2n12n|SE 3n16n1n"
      + "|SI 5n8n2n|SK 4n6n10n|SM 1a5n5n12c|SO 4n3n12n|ST 4n4n11n2n|SV 4a20n|TL 3n14n2n|TN 2n3n13n2n|TR 5n1n16c"
      + "|UA 6n19c|VA 3n15n|VG 4a16n|XK 4n10n2n|YE 4a4n18c";

  // per country (26 x 26 table indexed by the two letters): the BBAN's character classes, one byte per position
  // ('n', 'a' or 'c'); null = not an IBAN country
  private static final byte[][] BBAN = new byte[26 * 26][];

  static {
    for (String entry : REGISTRY.split("\\|")) {
      StringBuilder classes = new StringBuilder();
      String structure = entry.substring(3);
      int count = 0;
      for (int i = 0; i < structure.length(); i++) {
        char c = structure.charAt(i);
        if (c >= '0' && c <= '9') {
          count = count * 10 + (c - '0');
        } else {
          classes.append(String.valueOf(c).repeat(count));
          count = 0;
        }
      }
      BBAN[index(entry.charAt(0), entry.charAt(1))] = classes.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
  }

  /** The IBAN length for the country code {@code a b} (either case), or 0 when the country has no IBAN. */
  static int length(char a, char b) {
    byte[] bban = bban(a, b);
    return bban == null ? 0 : bban.length + 4;
  }

  /**
   * True when {@code iban} (upper case, no separators, of {@link #length} characters) has its country's BBAN
   * structure after the two check digits, which must be digits.
   */
  static boolean hasStructure(char[] iban) {
    byte[] bban = bban(iban[0], iban[1]);
    if (bban == null || iban.length != bban.length + 4 || !isDigit(iban[2]) || !isDigit(iban[3])) {
      return false;
    }
    for (int i = 0; i < bban.length; i++) {
      char c = iban[i + 4];
      boolean ok = switch (bban[i]) {
        case 'n' -> isDigit(c);
        case 'a' -> c >= 'A' && c <= 'Z';
        default -> isDigit(c) || (c >= 'A' && c <= 'Z');
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static byte[] bban(char a, char b) {
    char x = Character.toUpperCase(a);
    char y = Character.toUpperCase(b);
    if (x < 'A' || x > 'Z' || y < 'A' || y > 'Z') {
      return null;
    }
    return BBAN[index(x, y)];
  }

  private static int index(char a, char b) {
    return (a - 'A') * 26 + b - 'A';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
