package io.ganglion.reflex.injection;

import java.util.Arrays;

/**
 * Turns text into the injection classifier's features: hashed word unigrams and bigrams and character 3- to
 * 5-grams of a normalized form of the text (lower case, punctuation folded to spaces, common leetspeak digits
 * read as letters, so {@code 1GN0RE} and {@code ignore} share features).
 * <p>
 * Features are bucket numbers in {@code [0, BUCKETS)}: hashing keeps scoring free of string allocation and map
 * lookups, and lets a weight table indexed by bucket replace the model at serving time. Training and serving use
 * this one class, so they cannot drift apart.
 * <p>
 * <b>NOTE</b>: stateless and thread-safe.
 */
public final class FeatureHasher {

  /** The number of hash buckets; a power of two. 2^18 keeps collisions rare for a vocabulary of tens of thousands. */
  public static final int BUCKETS = 1 << 18;

  private static final long WORD = 0x9E3779B97F4A7C15L;
  private static final long BIGRAM = 0xC2B2AE3D27D4EB4FL;
  private static final long CHARS = 0x165667B19E3779F9L;

  private FeatureHasher() {
  }

  /** The distinct buckets {@code text} activates, sorted ascending. */
  public static int[] features(String text) {
    char[] normalized = normalize(text);
    int n = normalized.length;
    int[] out = new int[3 * n + 2 * (n / 2 + 1)];
    int size = charGrams(normalized, out, 0);
    size = wordGrams(normalized, out, size);
    Arrays.sort(out, 0, size);
    int unique = 0;
    for (int i = 0; i < size; i++) {
      if (unique == 0 || out[i] != out[unique - 1]) {
        out[unique++] = out[i];
      }
    }
    return Arrays.copyOf(out, unique);
  }

  /** Lower case, letters and digits kept, everything else one space, padded with a space on each side. */
  static char[] normalize(String text) {
    char[] out = new char[text.length() + 2];
    int n = 0;
    out[n++] = ' ';
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isLetterOrDigit(c)) {
        out[n++] = unleet(Character.toLowerCase(c));
      } else if (out[n - 1] != ' ') {
        out[n++] = ' ';
      }
    }
    if (out[n - 1] != ' ') {
      out[n++] = ' ';
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  private static char unleet(char c) {
    return switch (c) {
      case '0' -> 'o';
      case '1' -> 'i';
      case '3' -> 'e';
      case '4' -> 'a';
      case '5' -> 's';
      case '7' -> 't';
      default -> c;
    };
  }

  private static int charGrams(char[] s, int[] out, int size) {
    for (int i = 0; i + 3 <= s.length; i++) {
      long h = CHARS;
      for (int k = 0; k < 5 && i + k < s.length; k++) {
        h = (h ^ s[i + k]) * 0x100000001B3L;
        if (k >= 2) {
          out[size++] = bucket(h + k);
        }
      }
    }
    return size;
  }

  private static int wordGrams(char[] s, int[] out, int size) {
    long previous = 0;
    long word = 0;
    boolean inWord = false;
    for (char c : s) {
      if (c != ' ') {
        word = (inWord ? word : WORD) * 31 + c;
        inWord = true;
      } else if (inWord) {
        out[size++] = bucket(word);
        if (previous != 0) {
          out[size++] = bucket(previous * BIGRAM + word);
        }
        previous = word;
        inWord = false;
      }
    }
    return size;
  }

  private static int bucket(long h) {
    // murmur3's 64-bit finalizer: spreads every input bit over the bucket bits
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return (int) (h & (BUCKETS - 1));
  }
}
