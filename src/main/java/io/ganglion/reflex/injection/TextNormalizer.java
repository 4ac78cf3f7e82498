package io.ganglion.reflex.injection;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Base64;

/**
 * What the injection detectors read instead of the raw prompt: the text with the usual disguises taken off.
 * <ol>
 *   <li>Unicode NFKC: full-width letters, ligatures, mathematical bold and script letters, circled letters become
 *       plain letters ({@code ｉｇｎｏｒｅ}, {@code 𝐢𝐠𝐧𝐨𝐫𝐞} → {@code ignore});</li>
 *   <li>zero-width characters, soft hyphens, bidirectional controls, Unicode tag characters (invisible "ASCII
 *       smuggling") and other control characters are removed (line breaks and tabs become spaces);</li>
 *   <li>Cyrillic and Greek letters that look like Latin ones are read as Latin in a word that also has Latin
 *       letters, or anywhere in a text that is mostly Latin ({@code іgnоrе} with Cyrillic і and о);</li>
 *   <li>leetspeak inside words is read as letters ({@code 1gn0r3}, {@code pr0mpt}, {@code @dm1n}, {@code $ystem});
 *       numbers standing alone and hexadecimal hashes stay as they are;</li>
 *   <li>words written with their letters separated ({@code i g n o r e}, {@code i.g.n.o.r.e}, {@code i-g-n-o-r-e})
 *       are joined; a wider gap between letters ends a word;</li>
 *   <li>an email address becomes the word {@code emailaddress}, a URL {@code urladdress}: that a text sends
 *       something to an address is a signal, which address it is must not be (a benign mail naming
 *       {@code jane@example.com} is not like an attack that names {@code attacker@example.com});</li>
 *   <li>a long Base64 token that decodes to readable text is followed by its decoded text;</li>
 *   <li>lower case; runs of white space become one space.</li>
 * </ol>
 * The result is for detection only: offsets do not map back to the original text.
 * <p>
 * <b>NOTE</b>: stateless and thread-safe; linear in the text, a few microseconds for a typical prompt (plain ASCII
 * skips the Unicode steps).
 */
public final class TextNormalizer {

  /** Bumped whenever the normalisation changes, so verdicts and traces can say which one they used. */
  public static final String VERSION = "norm-3";

  private static final int MIN_BASE64 = 16;

  private TextNormalizer() {
  }

  /** The normalised form of {@code text}. */
  public static String normalize(String text) {
    String s = text;
    if (!isPlainAscii(s)) {
      s = Normalizer.normalize(s, Normalizer.Form.NFKC);
      s = stripInvisible(s);
      s = foldHomoglyphs(s);
    }
    s = maskAddresses(s);
    s = appendDecodedBase64(s);
    s = unleet(s);
    s = joinSpacedLetters(s);
    return collapse(s);
  }

  private static boolean isPlainAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x7F || (c < 0x20 && c != '\n' && c != '\t' && c != '\r')) {
        return false;
      }
    }
    return true;
  }

  private static final java.util.regex.Pattern EMAIL =
    java.util.regex.Pattern.compile("[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+");
  private static final java.util.regex.Pattern URL = java.util.regex.Pattern.compile("(?i)\\bhttps?://[^\\s)\\]>\"']+");

  static String maskAddresses(String s) {
    if (s.indexOf('@') >= 0) {
      s = EMAIL.matcher(s).replaceAll(" emailaddress ");
    }
    if (s.contains("://")) {
      // a query string with a parameter is how data leaves through a link or an image: keep that much of it
      s = URL.matcher(s).replaceAll(m -> m.group().matches("[^?]*\\?.*=.*") ? " urladdress?= " : " urladdress ");
    }
    return s;
  }

  static String stripInvisible(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '\n' || cp == '\t' || cp == '\r') {
        out.append(' ');
        continue;
      }
      int type = Character.getType(cp);
      boolean invisible = type == Character.FORMAT || type == Character.CONTROL || type == Character.UNASSIGNED
        || (cp >= 0xE0000 && cp <= 0xE007F) || cp == 0x034F || cp == 0x115F || cp == 0x1160 || cp == 0x3164
        || (cp >= 0xFE00 && cp <= 0xFE0F);
      if (!invisible) {
        out.appendCodePoint(cp);
      }
    }
    return out.toString();
  }

  // Cyrillic and Greek letters (lower and upper case) with a Latin twin in most fonts
  private static final String CONFUSABLE = "аеорсухіјѕԁɡһӏкмтвнАЕОРСУХІЈЅВНКМТαεοριτυκνχΑΒΕΗΙΚΜΝΟΡΤΥΧΖ";
  private static final String LATIN = "aeopcyxijsdghlkmtbhAEOPCYXIJSBHKMTaeopitukvxABEHIKMNOPTYXZ";

  static String foldHomoglyphs(String s) {
    int latin = 0;
    int other = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x250 && Character.isLetter(c)) {
        latin++;
      } else if (c >= 0x370 && c < 0x530) {
        other++;
      }
    }
    if (other == 0) {
      return s;
    }
    boolean mostlyLatin = latin > other;
    StringBuilder out = new StringBuilder(s);
    int wordStart = 0;
    for (int i = 0; i <= s.length(); i++) {
      if (i == s.length() || !Character.isLetterOrDigit(s.charAt(i))) {
        if (mostlyLatin || hasLatin(s, wordStart, i)) {
          for (int k = wordStart; k < i; k++) {
            int at = CONFUSABLE.indexOf(s.charAt(k));
            if (at >= 0) {
              out.setCharAt(k, LATIN.charAt(at));
            }
          }
        }
        wordStart = i + 1;
      }
    }
    return out.toString();
  }

  private static boolean hasLatin(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return true;
      }
    }
    return false;
  }

  /** Digits and {@code @ $ !} read as letters inside a token that has letters; a token of digits alone is kept. */
  static String unleet(String s) {
    StringBuilder out = null;
    int n = s.length();
    int start = 0;
    while (start < n) {
      int end = start;
      boolean letters = false;
      boolean leet = false;
      while (end < n && isTokenChar(s.charAt(end))) {
        char c = s.charAt(end);
        letters |= Character.isLetter(c);
        leet |= leetOf(c) != 0;
        end++;
      }
      if (letters && leet && end - start >= 3 && !isHex(s, start, end)) {
        if (out == null) {
          out = new StringBuilder(s);
        }
        for (int k = start; k < end; k++) {
          char l = leetOf(s.charAt(k));
          // '@' or '!' at the end of a token is punctuation ("me!", "at@"), not a letter
          if (l != 0 && !(k == end - 1 && (s.charAt(k) == '!' || s.charAt(k) == '@'))) {
            out.setCharAt(k, l);
          }
        }
      }
      start = end == start ? start + 1 : end;
    }
    return out == null ? s : out.toString();
  }

  // hashes and ids ("9f86d081884c") are no words in disguise
  private static boolean isHex(String s, int start, int end) {
    if (end - start < 8) {
      return false;
    }
    for (int i = start; i < end; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isTokenChar(char c) {
    return Character.isLetterOrDigit(c) || c == '@' || c == '$' || c == '!';
  }

  private static char leetOf(char c) {
    return switch (c) {
      case '0' -> 'o';
      case '1' -> 'i';
      case '3' -> 'e';
      case '4', '@' -> 'a';
      case '5', '$' -> 's';
      case '7' -> 't';
      case '!' -> 'i';
      default -> 0;
    };
  }

  /**
   * Joins runs of at least three single letters separated by one space, dot, dash or underscore each
   * ({@code i g n o r e} → {@code ignore}); two or more spaces between letters start a new word.
   */
  static String joinSpacedLetters(String s) {
    int n = s.length();
    StringBuilder out = null;
    int i = 0;
    int copied = 0;
    while (i < n) {
      if (!isSingleLetter(s, i)) {
        i++;
        continue;
      }
      // a run: letter (sep letter)+ where sep is one of " ._-" (or two-plus spaces, a word gap)
      int j = i;
      int letters = 1;
      StringBuilder joined = new StringBuilder().append(s.charAt(i));
      while (j + 2 < n) {
        int k = j + 1;
        char sep = s.charAt(k);
        if (sep != ' ' && sep != '.' && sep != '_' && sep != '-') {
          break;
        }
        int gap = 0;
        while (k < n && s.charAt(k) == sep) {
          k++;
          gap++;
        }
        if (k >= n || !isSingleLetter(s, k) || gap > 3 || (sep != ' ' && gap > 1)) {
          break;
        }
        joined.append(gap > 1 ? " " : "").append(s.charAt(k));
        letters++;
        j = k;
      }
      if (letters >= 3) {
        if (out == null) {
          out = new StringBuilder(n);
        }
        out.append(s, copied, i).append(joined);
        copied = j + 1;
      }
      i = j + 1;
    }
    if (out == null) {
      return s;
    }
    return out.append(s, copied, n).toString();
  }

  // a letter with no letter or digit on either side
  private static boolean isSingleLetter(String s, int i) {
    return Character.isLetter(s.charAt(i)) && (i == 0 || !Character.isLetterOrDigit(s.charAt(i - 1)))
      && (i + 1 == s.length() || !Character.isLetterOrDigit(s.charAt(i + 1)));
  }

  static String appendDecodedBase64(String s) {
    StringBuilder decoded = null;
    int n = s.length();
    int i = 0;
    while (i < n) {
      if (!isBase64Char(s.charAt(i))) {
        i++;
        continue;
      }
      int j = i;
      boolean upper = false;
      boolean lower = false;
      while (j < n && isBase64Char(s.charAt(j))) {
        char c = s.charAt(j);
        upper |= c >= 'A' && c <= 'Z';
        lower |= c >= 'a' && c <= 'z';
        j++;
      }
      while (j < n && s.charAt(j) == '=') {
        j++;
      }
      if (j - i >= MIN_BASE64 && upper && lower) {
        String text = decode(s.substring(i, j));
        if (text != null) {
          (decoded == null ? decoded = new StringBuilder() : decoded).append(' ').append(text);
        }
      }
      i = j;
    }
    return decoded == null ? s : s + decoded;
  }

  private static boolean isBase64Char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
  }

  private static String decode(String token) {
    try {
      byte[] bytes = Base64.getDecoder().decode(token);
      int printable = 0;
      for (byte b : bytes) {
        if (b >= 0x20 && b < 0x7F) {
          printable++;
        }
      }
      return bytes.length > 0 && printable * 10 >= bytes.length * 9 ? new String(bytes, StandardCharsets.UTF_8) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String collapse(String s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean space = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        if (!space) {
          out.append(' ');
          space = true;
        }
      } else {
        out.append(Character.toLowerCase(c));
        space = false;
      }
    }
    int end = out.length();
    if (end > 0 && out.charAt(end - 1) == ' ') {
      out.setLength(end - 1);
    }
    return out.toString();
  }
}
