package io.ganglion.reflex.pii.eval;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Seeded generators of the values the PII evaluation set plants in its templates: phone numbers of many countries in
 * many writings, card numbers of every network, IBANs, emails, SSNs, IP addresses, and the look-alikes that must
 * not be found (dates, amounts, order numbers, EANs, cards and IBANs with a wrong check digit…).
 * <p>
 * Phone numbers are real-shaped: libphonenumber's example number for the country and type with its last digits
 * redrawn until the number is valid again, so a miss is the detector's fault and not the sample's.
 */
final class PiiSamples {

  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  private final Random random;
  private final List<String> phoneStyles;

  PiiSamples(Random random, List<String> phoneStyles) {
    this.random = random;
    this.phoneStyles = phoneStyles;
  }

  /** The value's surface form and, for phones, cards and IBANs, what kind it is (country, network, style). */
  record Value(String text, String kind) {
  }

  // ---------------------------------------------------------------- phones

  Value phone(String region) {
    String style = pick(phoneStyles);
    return phone(region, style);
  }

  Value phone(String region, String style) {
    PhoneNumber number = validNumber(region, random.nextInt(3) == 0 ? PhoneNumberType.FIXED_LINE : PhoneNumberType.MOBILE);
    String national = UTIL.format(number, PhoneNumberFormat.NATIONAL);
    String international = UTIL.format(number, PhoneNumberFormat.INTERNATIONAL);
    String nsn = UTIL.getNationalSignificantNumber(number);
    String trunk = UTIL.getNddPrefixForRegion(region, true);
    String cc = String.valueOf(number.getCountryCode());
    String text = switch (style) {
      case "e164" -> "+" + cc + nsn;
      case "intl" -> international;
      case "intl-dash" -> international.replace(' ', '-');
      case "intl-dots" -> international.replace(' ', '.');
      case "intl-trunk" -> trunk != null && trunk.equals("0") && !region.equals("IT")
        ? "+" + cc + " (0)" + international.substring(cc.length() + 2) : international;
      case "idd" -> "00" + international.substring(1);
      case "national" -> national;
      case "national-dash" -> national.replace(' ', '-').replace("(", "").replace(")", "");
      case "national-dots" -> national.replace("(", "").replace(")", "").replace(' ', '.');
      case "national-slash" -> slash(national);
      case "national-brackets" -> brackets(national);
      case "groups2" -> regroup(national, 2, " ");
      case "groups3" -> regroup(national, 3, " ");
      case "groups4" -> regroup(national, 4, "-");
      case "spaced-dash" -> national.replace("(", "").replace(")", "").replace(" ", " - ");
      case "nbsp" -> national.replace(' ', '\u00A0');
      default -> throw new IllegalArgumentException("unknown phone style " + style);
    };
    return new Value(text, "phone:" + region + ":" + style);
  }

  private PhoneNumber validNumber(String region, PhoneNumberType type) {
    PhoneNumber example = UTIL.getExampleNumberForType(region, type);
    if (example == null) {
      example = UTIL.getExampleNumber(region);
    }
    String nsn = UTIL.getNationalSignificantNumber(example);
    for (int attempt = 0; attempt < 200; attempt++) {
      int keep = Math.max(2, nsn.length() - 4 - random.nextInt(3));
      StringBuilder digits = new StringBuilder(nsn.substring(0, keep));
      while (digits.length() < nsn.length()) {
        digits.append(random.nextInt(10));
      }
      PhoneNumber candidate = new PhoneNumber().setCountryCode(example.getCountryCode())
        .setNationalNumber(Long.parseLong(digits.toString()));
      if (example.hasItalianLeadingZero()) {
        candidate.setItalianLeadingZero(true);
      }
      if (UTIL.isValidNumberForRegion(candidate, region) && !digits.toString().equals(nsn)) {
        return candidate;
      }
    }
    return example;
  }

  /** German style: the area code, a slash, the subscriber number. */
  private static String slash(String national) {
    String plain = national.replace("(", "").replace(")", "");
    int space = plain.indexOf(' ');
    return space < 0 ? plain : plain.substring(0, space) + "/" + plain.substring(space + 1).replace(" ", "");
  }

  private static String brackets(String national) {
    if (national.startsWith("(")) {
      return national;
    }
    int space = national.indexOf(' ');
    return space < 0 ? national : "(" + national.substring(0, space) + ") " + national.substring(space + 1);
  }

  /** The national writing's first group (trunk and area code, brackets kept), the rest regrouped by {@code size}. */
  private static String regroup(String national, int size, String separator) {
    int cut = national.indexOf(' ');
    if (cut < 0) {
      cut = national.indexOf('-');
    }
    String head = cut < 0 ? "" : national.substring(0, cut);
    String rest = (cut < 0 ? national : national.substring(cut + 1)).replaceAll("\\D", "");
    StringBuilder out = new StringBuilder(head);
    int first = rest.length() % size == 0 ? size : rest.length() % size;
    if (first == 1 && rest.length() > size) {
      first += size;
    }
    for (int i = 0; i < rest.length(); i = i == 0 ? first : i + size) {
      if (!out.isEmpty()) {
        out.append(i == 0 ? " " : separator);
      }
      out.append(rest, i, Math.min(rest.length(), i == 0 ? first : i + size));
    }
    return out.toString();
  }

  // ---------------------------------------------------------------- cards

  private static final String[][] NETWORKS = {
    {"visa", "4", "16,16,16,13,19"}, {"mastercard", "51-55,2221-2720", "16"}, {"amex", "34,37", "15"},
    {"discover", "6011,65,644-649", "16,19"}, {"jcb", "3528-3589", "16,19"}, {"diners", "36,300-305,38", "14"},
    {"unionpay", "62", "16,17,18,19"}, {"maestro", "5018,5020,5038,6304,6759,6761-6763", "12,13,15,16,18,19"},
    {"mir", "2200-2204", "16"}, {"rupay", "60,508", "16"}, {"troy", "9792", "16"}, {"verve", "506099-506198", "16,19"},
    {"elo", "509", "16"}, {"dankort", "5019", "16"}, {"uatp", "1", "15"}, {"interpayment", "636", "16"}};

  Value card(boolean valid) {
    String[] network = NETWORKS[random.nextInt(NETWORKS.length)];
    String prefix = pickRange(network[1]);
    int length = Integer.parseInt(pick(List.of(network[2].split(","))));
    StringBuilder digits = new StringBuilder(prefix);
    while (digits.length() < length - 1) {
      digits.append(random.nextInt(10));
    }
    int check = luhnCheckDigit(digits.toString());
    digits.append(valid ? check : (check + 1 + random.nextInt(9)) % 10);
    String style = pick(List.of("compact", "space4", "dash4", "space4", "nbsp4", "network"));
    String text = switch (style) {
      case "compact" -> digits.toString();
      case "space4" -> regroupFrom(digits.toString(), 4, " ");
      case "dash4" -> regroupFrom(digits.toString(), 4, "-");
      case "nbsp4" -> regroupFrom(digits.toString(), 4, "\u00A0");
      default -> networkGrouping(digits.toString());
    };
    return new Value(text, "card:" + network[0] + ":" + length + ":" + style);
  }

  private static String networkGrouping(String d) {
    return switch (d.length()) {
      case 15 -> d.substring(0, 4) + " " + d.substring(4, 10) + " " + d.substring(10);
      case 14 -> d.substring(0, 4) + " " + d.substring(4, 10) + " " + d.substring(10);
      case 19 -> d.substring(0, 6) + " " + d.substring(6);
      default -> regroupFrom(d, 4, " ");
    };
  }

  private static String regroupFrom(String digits, int size, String separator) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < digits.length(); i += size) {
      if (i > 0) {
        out.append(separator);
      }
      out.append(digits, i, Math.min(digits.length(), i + size));
    }
    return out.toString();
  }

  static int luhnCheckDigit(String payload) {
    int sum = 0;
    boolean doubleIt = true;
    for (int i = payload.length() - 1; i >= 0; i--) {
      int d = payload.charAt(i) - '0';
      if (doubleIt) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      doubleIt = !doubleIt;
    }
    return (10 - sum % 10) % 10;
  }

  // ---------------------------------------------------------------- IBANs

  private static final String[][] IBAN_FORMATS = {
    {"DE", "8n10n"}, {"GB", "4a6n8n"}, {"FR", "5n5n11c2n"}, {"ES", "4n4n1n1n10n"}, {"IT", "1a5n5n12c"},
    {"NL", "4a10n"}, {"BE", "3n7n2n"}, {"AT", "5n11n"}, {"CH", "5n12c"}, {"PT", "4n4n11n2n"}, {"PL", "8n16n"},
    {"SE", "3n16n1n"}, {"DK", "4n9n1n"}, {"NO", "4n6n1n"}, {"FI", "3n11n"}, {"IE", "4a6n8n"}, {"LU", "3n13c"},
    {"GR", "3n4n16c"}, {"CZ", "4n6n10n"}, {"HU", "3n4n1n15n1n"}, {"RO", "4a16c"}, {"HR", "7n10n"},
    {"SI", "5n8n2n"}, {"LT", "5n11n"}, {"MT", "4a5n18c"}, {"TR", "5n1n16c"}, {"SA", "2n18c"}, {"AE", "3n16n"},
    {"BR", "8n5n10n1a1c"}, {"MU", "4a2n2n12n3n3a"}, {"UA", "6n19c"}, {"EG", "4n4n17n"}};

  Value iban(boolean valid) {
    String[] format = IBAN_FORMATS[random.nextInt(IBAN_FORMATS.length)];
    StringBuilder bban = new StringBuilder();
    String structure = format[1];
    int count = 0;
    for (char c : structure.toCharArray()) {
      if (Character.isDigit(c)) {
        count = count * 10 + (c - '0');
        continue;
      }
      for (int i = 0; i < count; i++) {
        bban.append(switch (c) {
          case 'n' -> (char) ('0' + random.nextInt(10));
          case 'a' -> (char) ('A' + random.nextInt(26));
          default -> random.nextInt(3) == 0 ? (char) ('A' + random.nextInt(26)) : (char) ('0' + random.nextInt(10));
        });
      }
      count = 0;
    }
    int check = 98 - mod97(bban + format[0] + "00");
    if (!valid) {
      check = (check + 1 + random.nextInt(90)) % 97 + 2;
      if (check > 98) {
        check = 2;
      }
    }
    String iban = format[0] + String.format(Locale.ROOT, "%02d", check) + bban;
    String style = pick(List.of("compact", "grouped", "grouped", "lower-compact", "lower-grouped", "nbsp"));
    String text = switch (style) {
      case "compact" -> iban;
      case "grouped" -> regroupFrom(iban, 4, " ");
      case "lower-compact" -> iban.toLowerCase(Locale.ROOT);
      case "lower-grouped" -> regroupFrom(iban, 4, " ").toLowerCase(Locale.ROOT);
      default -> regroupFrom(iban, 4, "\u00A0");
    };
    return new Value(text, "iban:" + format[0] + ":" + style);
  }

  private static int mod97(String s) {
    StringBuilder digits = new StringBuilder();
    for (char c : s.toCharArray()) {
      digits.append(Character.isDigit(c) ? String.valueOf(c) : String.valueOf(c - 'A' + 10));
    }
    return new BigInteger(digits.toString()).mod(BigInteger.valueOf(97)).intValue();
  }

  // ---------------------------------------------------------------- the rest

  private static final List<String> FIRST = List.of("anna", "jonas", "marie", "luca", "sofia", "pedro", "emma",
    "noah", "lea", "matteo", "ines", "daan", "chloe", "hugo", "giulia", "joao", "sanne", "liam");
  private static final List<String> LAST = List.of("schmidt", "muller", "dubois", "garcia", "rossi", "silva",
    "devries", "smith", "janssen", "moreau", "fernandez", "bianchi", "santos", "bakker", "brown", "weber");
  private static final List<String> DOMAINS = List.of("example.com", "mail.example.org", "firma.de", "societe.fr",
    "empresa.es", "azienda.it", "empresa.com.br", "bedrijf.nl", "uni-example.edu", "corp.example.co.uk");

  Value email() {
    String first = pick(FIRST);
    String last = pick(LAST);
    String local = switch (random.nextInt(5)) {
      case 0 -> first + "." + last;
      case 1 -> first.charAt(0) + last;
      case 2 -> first + "_" + last + random.nextInt(100);
      case 3 -> first + "+" + pick(List.of("news", "shop", "work")) ;
      default -> first.substring(0, 1).toUpperCase(Locale.ROOT) + first.substring(1) + "." + last.toUpperCase(Locale.ROOT);
    };
    return new Value(local + "@" + pick(DOMAINS), "email");
  }

  Value ssn() {
    int area;
    do {
      area = 1 + random.nextInt(899);
    } while (area == 666);
    String sep = random.nextInt(4) == 0 ? " " : "-";
    return new Value(String.format(Locale.ROOT, "%03d%s%02d%s%04d", area, sep, 1 + random.nextInt(99), sep,
      1 + random.nextInt(9999)), "ssn");
  }

  Value ipv4() {
    return new Value((1 + random.nextInt(223)) + "." + random.nextInt(256) + "." + random.nextInt(256) + "."
      + (1 + random.nextInt(254)), "ipv4");
  }

  Value ipv6() {
    StringBuilder b = new StringBuilder("2001:db8");
    int groups = 2 + random.nextInt(3);
    for (int i = 0; i < groups; i++) {
      b.append(':').append(Integer.toHexString(random.nextInt(0x10000)));
    }
    if (groups < 6) {
      b.append("::").append(Integer.toHexString(1 + random.nextInt(0xfff)));
    }
    return new Value(b.toString(), "ipv6");
  }

  /** A look-alike that is none of the PII types. */
  String distractor(String kind) {
    return switch (kind) {
      case "date" -> pick(List.of(
        String.format(Locale.ROOT, "%02d.%02d.%d", 1 + random.nextInt(28), 1 + random.nextInt(12), 2019 + random.nextInt(8)),
        String.format(Locale.ROOT, "%d-%02d-%02d", 2019 + random.nextInt(8), 1 + random.nextInt(12), 1 + random.nextInt(28)),
        String.format(Locale.ROOT, "%02d/%02d/%d", 1 + random.nextInt(12), 1 + random.nextInt(28), 2019 + random.nextInt(8)),
        String.format(Locale.ROOT, "%02d/%02d/%02d", 1 + random.nextInt(28), 1 + random.nextInt(12), 19 + random.nextInt(8))));
      case "time" -> String.format(Locale.ROOT, "%02d:%02d", random.nextInt(24), random.nextInt(60));
      case "amount" -> pick(List.of(
        String.format(Locale.GERMANY, "%,.2f €", 1000 + random.nextDouble() * 2_000_000),
        String.format(Locale.US, "$%,.2f", 1000 + random.nextDouble() * 2_000_000),
        String.format(Locale.FRANCE, "%,.2f €", 1000 + random.nextDouble() * 2_000_000).replace('\u202F', ' ')));
      case "order" -> digits(8 + random.nextInt(9));
      case "customer" -> digits(6 + random.nextInt(5));
      case "invoice" -> pick(List.of("INV-", "RE-", "FAC-", "FT ")) + (2020 + random.nextInt(6)) + "-" + digits(6);
      case "version" -> random.nextInt(20) + "." + random.nextInt(30) + "." + random.nextInt(100);
      case "build" -> "10.0." + (19000 + random.nextInt(4000)) + "." + random.nextInt(5000);
      case "zip" -> digits(5);
      case "isbn" -> "978-" + random.nextInt(10) + "-" + digits(2) + "-" + digits(6) + "-" + random.nextInt(10);
      case "ean" -> ean();
      case "tracking" -> "1Z" + digits(3) + "AA1" + digits(10);
      case "coords" -> String.format(Locale.ROOT, "%.4f, %.4f", 35 + random.nextDouble() * 20, random.nextDouble() * 20);
      case "badcard" -> card(false).text();
      case "badiban" -> iban(false).text();
      case "range" -> (2000 + random.nextInt(20)) + "-" + (2020 + random.nextInt(6));
      case "pages" -> (100 + random.nextInt(200)) + "-" + (300 + random.nextInt(200));
      case "percent" -> random.nextInt(100) + "," + random.nextInt(10) + " %";
      case "grouped" -> digits(3) + " " + digits(3) + " " + digits(3);
      case "population" -> String.format(Locale.FRANCE, "%,d", 1_000_000 + random.nextInt(90_000_000)).replace('\u202F', ' ');
      default -> throw new IllegalArgumentException("unknown distractor " + kind);
    };
  }

  private String ean() {
    String payload = "4" + digits(11);
    int sum = 0;
    for (int i = 0; i < 12; i++) {
      sum += (payload.charAt(i) - '0') * (i % 2 == 0 ? 1 : 3);
    }
    return payload + (10 - sum % 10) % 10;
  }

  private String digits(int n) {
    StringBuilder b = new StringBuilder();
    b.append(1 + random.nextInt(9));
    while (b.length() < n) {
      b.append(random.nextInt(10));
    }
    return b.toString();
  }

  private String pickRange(String ranges) {
    String range = pick(List.of(ranges.split(",")));
    String[] bounds = range.split("-");
    if (bounds.length == 1) {
      return bounds[0];
    }
    int low = Integer.parseInt(bounds[0]);
    int high = Integer.parseInt(bounds[1]);
    return String.valueOf(low + random.nextInt(high - low + 1));
  }

  <T> T pick(List<T> list) {
    return list.get(random.nextInt(list.size()));
  }
}
