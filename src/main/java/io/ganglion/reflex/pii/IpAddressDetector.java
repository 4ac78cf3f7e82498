package io.ganglion.reflex.pii;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * IPv4 addresses in dotted-quad form (octets 0-255, no leading zeros, not part of a longer dotted run such as a
 * version number) and IPv6 addresses in full, compressed ({@code ::}) or IPv4-suffixed form.
 */
public final class IpAddressDetector implements PiiDetector {

  private static final double IPV4_SCORE = 0.8;
  private static final double IPV6_SCORE = 0.85;
  private static final String OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
  private static final Pattern IPV4 =
    Pattern.compile("(?<![\\w.])" + OCTET + "(?:\\." + OCTET + "){3}(?!\\w|\\.\\d)");
  private static final Pattern IPV6_CANDIDATE = Pattern.compile("(?<![\\w:.])[0-9A-Fa-f:][0-9A-Fa-f:.]{2,44}(?![\\w:])");

  @Override
  public void detect(String text, List<Finding> out) {
    if (DigitCount.atLeast(text, 4) && text.indexOf('.') >= 0) {
      Matcher m = IPV4.matcher(text);
      while (m.find()) {
        out.add(new Finding(PiiTypes.IPV4, m.start(), m.end(), IPV4_SCORE));
      }
    }
    if (text.indexOf(':') >= 0) {
      Matcher m = IPV6_CANDIDATE.matcher(text);
      while (m.find()) {
        int end = m.end();
        // "at ::1." — a sentence's full stop is not part of the address
        while (end > m.start() && text.charAt(end - 1) == '.') {
          end--;
        }
        if (isIpv6(text, m.start(), end)) {
          out.add(new Finding(PiiTypes.IPV6, m.start(), end, IPV6_SCORE));
        }
      }
    }
  }

  /** Full, compressed and IPv4-suffixed IPv6; rejects "a::b"-like code and times such as 12:30:45. */
  static boolean isIpv6(String s, int from, int to) {
    int colons = 0;
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == ':') {
        colons++;
      }
    }
    if (colons < 2) {
      return false;
    }
    String a = s.substring(from, to);
    int gap = a.indexOf("::");
    if (gap >= 0 && a.indexOf("::", gap + 1) >= 0) {
      return false;
    }
    int groups = 0;
    int hexDigits = 0;
    String[] parts = a.split(":", -1);
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (p.isEmpty()) {
        continue;
      }
      if (i == parts.length - 1 && p.indexOf('.') >= 0) {
        if (!IPV4.matcher(p).matches()) {
          return false;
        }
        groups += 2;
        hexDigits += 4;
        continue;
      }
      if (p.length() > 4 || !isHex(p)) {
        return false;
      }
      groups++;
      hexDigits += p.length();
    }
    if (a.startsWith(":") && !a.startsWith("::") || a.endsWith(":") && !a.endsWith("::")) {
      return false;
    }
    if (gap < 0) {
      return groups == 8;
    }
    return groups < 8 && (a.equals("::1") || (groups >= 2 && hexDigits >= 4));
  }

  private static boolean isHex(String p) {
    for (int i = 0; i < p.length(); i++) {
      if (Character.digit(p.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }
}
