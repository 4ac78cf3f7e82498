package io.ganglion.reflex.pii;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.Leniency;
import com.google.i18n.phonenumbers.Phonemetadata.PhoneMetadata;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import com.google.i18n.phonenumbers.metadata.DefaultMetadataDependenciesProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Phone numbers, verified by Google's libphonenumber: international ones ({@code +} or {@code 00} and a country code)
 * for every country, national ones (no country code) for the configured default regions, in the order given.
 * <p>
 * How a text is read, cheapest step first:
 * <ol>
 *   <li>one regular expression finds phone-shaped candidates: digit groups separated by spaces, dots, dashes or
 *       slashes, area codes in brackets, {@code (0)}, an extension; dates and dotted quads are dropped;</li>
 *   <li>a bare digit run (no separator, no {@code +}) or a short national number (fewer than
 *       {@value #SHORT_DIGITS} digits) must have a context word ({@code tel}, {@code Handy}, {@code téléphone},
 *       {@code llamar}, {@code bellen}, … in seven languages: {@link NumberContext}) in the {@value NumberContext#PHONE_WINDOW} characters before
 *       it, or it is an order number, a date or an amount far more often than a phone number; a year followed by
 *       a dash and digits ({@code 2024-000123}) is a reference;</li>
 *   <li>{@link PhoneNumberUtil#findNumbers} with the configured leniency runs over the candidate alone (not the
 *       whole text), once for an international candidate and once per default region whose number lengths fit a
 *       national one, until its digits are covered;</li>
 *   <li>a national candidate no region accepts still counts when it is written the way only phone numbers are —
 *       an area code in brackets followed by grouped digits, or the North American {@code 555-123-4567} — or when a
 *       context word precedes it and some region deems it a possible number; an international candidate with
 *       a possible length for its country code counts too. Such findings score lower.</li>
 * </ol>
 * Each default region costs up to one {@code findNumbers} pass over each national candidate (a few microseconds; see
 * bench/RESULTS.md for the per-region budget), and nothing on text with fewer than six digits.
 * <p>
 * <b>NOTE</b>: immutable and thread-safe ({@link PhoneNumberUtil} is); runs on the event loop.
 */
public final class PhoneDetector implements PiiDetector {

  /** The default regions: the countries of the seven languages the reflex layer reads, and the larger English ones. */
  public static final List<String> DEFAULT_REGIONS =
    List.of("US", "GB", "DE", "FR", "ES", "IT", "NL", "PT", "BR", "AT", "CH", "BE", "MX", "IN", "AU");

  static final int SHORT_DIGITS = 8;
    private static final double VALID_INTERNATIONAL = 0.9;
  private static final double VALID_NATIONAL = 0.8;
  private static final double PHONE_SHAPED = 0.6;
  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  private static final String SP = "[ \\u00A0\\u202F]";
  private static final String SEP = "(?:" + SP + "?[./-]" + SP + "?|" + SP + ")";
  private static final String GROUP = "(?:\\(\\d{1,5}\\)|\\d{1,10})";
  private static final Pattern CANDIDATE = Pattern.compile(
    "(?<![\\w+@#/.,-])(?:(\\+|00|\\(\\+)" + SP + "?)?\\(?\\d{1,15}\\)?"
      + "(?:(?:" + SEP + "|(?<=\\))" + SP + "?)" + GROUP + "){0,7}"
      + "(" + SP + "?(?:x|ext\\.?|extension|#)" + SP + "?\\d{1,6})?"
      + "(?![\\w@]|[.,/-]\\d)");
  private static final Pattern DATE = Pattern.compile("(\\d{1,4})([./-])(\\d{1,2})\\2(\\d{1,4})");
  private static final String OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
  private static final Pattern DOTTED_QUAD = Pattern.compile(OCTET + "(?:\\." + OCTET + "){3}");
  private static final Pattern BRACKETED_AREA = Pattern.compile("\\(\\d{2,5}\\)" + SP + "?\\d{2,5}(?:[ .-]\\d{2,5}){0,3}");
  private static final Pattern NANP = Pattern.compile("\\(?[2-9]\\d{2}\\)?([.-]|" + SP + ")\\d{3}\\1\\d{4}");
  private static final Pattern YEAR_REFERENCE = Pattern.compile("(?:19[5-9]\\d|20[0-4]\\d)[/-]\\d{4,}");

  private record Region(String code, int countryCode, String nationalPrefix, long lengths) {

    boolean fits(int digits, char first) {
      int national = nationalPrefix.isEmpty() || first != nationalPrefix.charAt(0) ? digits
        : digits - nationalPrefix.length();
      return national > 0 && national < 64 && (lengths & (1L << national)) != 0;
    }
  }

  private final List<Region> regions;
  private final Leniency leniency;

  /** The detector with {@link #DEFAULT_REGIONS} and {@link Leniency#VALID}. */
  public PhoneDetector() {
    this(DEFAULT_REGIONS, Leniency.VALID);
  }

  /**
   * @param regions ISO 3166 region codes national numbers are read for, most likely first
   * @param leniency how strictly {@code findNumbers} verifies a candidate
   * @throws IllegalArgumentException for a region libphonenumber does not know
   */
  public PhoneDetector(List<String> regions, Leniency leniency) {
    List<Region> list = new ArrayList<>(regions.size());
    for (String code : regions) {
      PhoneMetadata metadata = DefaultMetadataDependenciesProvider.getInstance().getPhoneNumberMetadataSource()
        .getMetadataForRegion(code.toUpperCase(Locale.ROOT));
      if (metadata == null) {
        throw new IllegalArgumentException("unknown phone region '" + code + "'");
      }
      long lengths = 0;
      for (int length : metadata.getGeneralDesc().getPossibleLengthList()) {
        lengths |= 1L << length;
      }
      list.add(new Region(metadata.getId(), metadata.getCountryCode(),
        metadata.hasNationalPrefix() ? metadata.getNationalPrefix() : "", lengths));
    }
    this.regions = List.copyOf(list);
    this.leniency = leniency;
  }

  /** True when libphonenumber has metadata for {@code region} (an ISO 3166 code such as {@code DE}). */
  public static boolean knowsRegion(String region) {
    return UTIL.getSupportedRegions().contains(region.toUpperCase(Locale.ROOT));
  }

  @Override
  public void detect(String text, List<Finding> out) {
    if (!DigitCount.atLeast(text, 6)) {
      return;
    }
    Matcher m = CANDIDATE.matcher(text);
    while (m.find()) {
      int start = m.start();
      int end = m.end();
      while (end > start && !Character.isDigit(text.charAt(end - 1)) && text.charAt(end - 1) != ')') {
        end--;
      }
      int numberEnd = m.start(2) >= 0 ? m.start(2) : end;
      String number = text.substring(start, numberEnd);
      int digits = countDigits(number);
      boolean international = m.start(1) >= 0;
      // longer runs are cards, IBANs and reference numbers (each of their own detector), not phone numbers
      if (international ? digits < 7 + (number.startsWith("00") ? 2 : 0) || digits > 17 : digits < 6 || digits > 13) {
        continue;
      }
      if (isDate(number) || DOTTED_QUAD.matcher(number).matches() || YEAR_REFERENCE.matcher(number).matches()) {
        continue;
      }
      if (international) {
        international(text, start, end, out);
      } else {
        national(text, start, end, number, digits, out);
      }
    }
  }

  private void international(String text, int start, int end, List<Finding> out) {
    // "00" is the international prefix of most of the world; findNumbers reads a leading "+" in any region
    int skip = text.startsWith("00", start) ? 2 : text.startsWith("(+", start) ? 1 : 0;
    String window = (skip == 2 ? "+" : "") + text.substring(start + skip, end);
    int shift = start + skip - (skip == 2 ? 1 : 0);
    PhoneNumber parsed = parse(window, "ZZ");
    if (parsed == null) {
      return;
    }
    if (accepts(parsed)) {
      int found = out.size();
      String region = UTIL.getRegionCodeForNumber(parsed);
      for (PhoneNumberMatch match : UTIL.findNumbers(window, region == null ? "ZZ" : region, leniency, Long.MAX_VALUE)) {
        int from = match.start() == 0 ? start : match.start() + shift;
        out.add(new Finding(PiiTypes.PHONE, from, match.end() + shift, VALID_INTERNATIONAL));
      }
      if (out.size() > found) {
        return;
      }
    }
    if (UTIL.isPossibleNumber(parsed)) {
      out.add(new Finding(PiiTypes.PHONE, start, end, PHONE_SHAPED));
    }
  }

  private void national(String text, int start, int end, String number, int digits, List<Finding> out) {
    boolean separated = hasSeparator(number);
    boolean context = NumberContext.phoneWordBefore(text, start);
    if (!context && (!separated || digits < SHORT_DIGITS)) {
      return;
    }
    String window = text.substring(start, end);
    String digitsOnly = number.replaceAll("\\D", "");
    char first = digitsOnly.charAt(0);
    boolean possible = false;
    for (Region region : regions) {
      if (!region.fits(digits, first)) {
        continue;
      }
      // parsing costs several microseconds per region: build the number from its digits and the region's trunk
      // prefix to find the region (a pattern match), and let findNumbers judge the candidate for that region only
      PhoneNumber parsed = nationalNumber(digitsOnly, region);
      if (parsed == null) {
        continue;
      }
      if (!accepts(parsed)) {
        possible |= UTIL.isPossibleNumber(parsed);
        continue;
      }
      int found = out.size();
      for (PhoneNumberMatch match : UTIL.findNumbers(window, region.code(), leniency, Long.MAX_VALUE)) {
        out.add(new Finding(PiiTypes.PHONE, start + match.start(), start + match.end(), VALID_NATIONAL));
      }
      if (out.size() > found) {
        return;
      }
    }
    boolean shaped = BRACKETED_AREA.matcher(number).matches() || NANP.matcher(number).matches();
    if (shaped || context && separated && possible) {
      out.add(new Finding(PiiTypes.PHONE, start, end, PHONE_SHAPED));
    }
  }

  /** The number {@code digits} spells in {@code region}'s national format, or null when it cannot be one. */
  private static PhoneNumber nationalNumber(String digits, Region region) {
    String nsn = !region.nationalPrefix().isEmpty() && digits.startsWith(region.nationalPrefix())
      ? digits.substring(region.nationalPrefix().length()) : digits;
    if (nsn.isEmpty() || nsn.length() > 17) {
      return null;
    }
    PhoneNumber number = new PhoneNumber().setCountryCode(region.countryCode()).setNationalNumber(Long.parseLong(nsn));
    if (nsn.charAt(0) == '0') {
      // Italy and a few others keep a leading zero in the national significant number
      number.setItalianLeadingZero(true);
      int zeros = 0;
      while (zeros < nsn.length() - 1 && nsn.charAt(zeros) == '0') {
        zeros++;
      }
      if (zeros > 1) {
        number.setNumberOfLeadingZeros(zeros);
      }
    }
    return number;
  }

  private boolean accepts(PhoneNumber parsed) {
    return leniency == Leniency.POSSIBLE ? UTIL.isPossibleNumber(parsed) : UTIL.isValidNumber(parsed);
  }

  private static PhoneNumber parse(String window, String region) {
    try {
      return UTIL.parse(window, region);
    } catch (NumberParseException e) {
      return null;
    }
  }

  /** Day, month and year in either order ({@code 15.01.2024}, {@code 2024-01-15}, {@code 01/15/24}). */
  static boolean isDate(String number) {
    Matcher m = DATE.matcher(number);
    if (!m.matches()) {
      return false;
    }
    String a = m.group(1);
    String c = m.group(4);
    int x = Integer.parseInt(a);
    int y = Integer.parseInt(m.group(3));
    int z = Integer.parseInt(c);
    if (a.length() == 4) {
      return y >= 1 && y <= 12 && z >= 1 && z <= 31 && c.length() <= 2;
    }
    return a.length() <= 2 && (c.length() == 2 || c.length() == 4) && x >= 1 && y >= 1 && x <= 31 && y <= 31
      && (x <= 12 || y <= 12);
  }

  private static boolean hasSeparator(String number) {
    for (int i = 0; i < number.length(); i++) {
      char c = number.charAt(i);
      if (c < '0' || c > '9') {
        return true;
      }
    }
    return false;
  }

  private static int countDigits(CharSequence s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        n++;
      }
    }
    return n;
  }
}
