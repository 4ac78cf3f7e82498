package io.ganglion.reflex.pii;

import java.util.List;

/**
 * Secrets without a known prefix: tokens of at least {@code minLength} characters from the base64/url-safe alphabet
 * that mix letters and digits and whose Shannon entropy reaches {@code bitsPerChar}.
 * <p>
 * At the defaults (24 characters, 4.0 bits per character) random base62/base64 keys are found, while words,
 * identifiers, paths, hex digests (at most 4 bits per character, usually about 3.7) and UUIDs are not.
 */
public final class EntropyTokenDetector implements PiiDetector {

  private static final double SCORE = 0.6;

  private final int minLength;
  private final double bitsPerChar;

  public EntropyTokenDetector(int minLength, double bitsPerChar) {
    this.minLength = minLength;
    this.bitsPerChar = bitsPerChar;
  }

  @Override
  public void detect(String text, List<Finding> out) {
    int n = text.length();
    int i = 0;
    while (i < n) {
      if (!isTokenChar(text.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      while (i < n && isTokenChar(text.charAt(i))) {
        i++;
      }
      // base64 padding belongs to the token, but in "key=value" the '=' separates two tokens
      int padded = i;
      while (padded < n && padded - i < 2 && text.charAt(padded) == '=') {
        padded++;
      }
      if (padded == n || !isTokenChar(text.charAt(padded))) {
        i = padded;
      }
      if (i - start >= minLength && isSecretLike(text, start, i)) {
        out.add(new Finding(PiiTypes.SECRET, start, i, SCORE));
      }
    }
  }

  private boolean isSecretLike(String s, int from, int to) {
    boolean letter = false;
    boolean digit = false;
    int slashes = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      letter |= Character.isLetter(c);
      digit |= c >= '0' && c <= '9';
      slashes += c == '/' ? 1 : 0;
    }
    // base64 keys hold a '/' now and then; paths start or end with one, or hold many
    boolean path = s.charAt(from) == '/' || s.charAt(to - 1) == '/' || slashes >= 3;
    return letter && digit && !path && shannonBitsPerChar(s, from, to) >= bitsPerChar;
  }

  /** The Shannon entropy of the character distribution of {@code s[from, to)}, in bits per character. */
  public static double shannonBitsPerChar(CharSequence s, int from, int to) {
    int[] counts = new int[128];
    for (int i = from; i < to; i++) {
      counts[s.charAt(i) & 127]++;
    }
    double length = to - from;
    double bits = 0;
    for (int c : counts) {
      if (c > 0) {
        double p = c / length;
        bits -= p * Math.log(p);
      }
    }
    return bits / Math.log(2);
  }

  private static boolean isTokenChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
      || c == '_' || c == '-' || c == '+' || c == '/';
  }
}
