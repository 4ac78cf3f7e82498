package io.ganglion.retrieval.impl;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a search query looks like, for routing it between the keyword and vector rankings
 * ({@code retrieval.routing}): identifiers and codes are found by exact terms, which embeddings blur, while
 * questions and statements in plain language are found by meaning, which BM25 misses when the words differ.
 */
enum QueryShape {
  /** One or two words, or a code or identifier ({@code E-1234}, {@code ERR_TIMEOUT}, {@code v2.3.1}) in four words or fewer. */
  KEYWORD_LIKE,
  /** A question (a question mark, or a question word first) of three words or more, or six words or more. */
  NATURAL_LANGUAGE,
  /** Anything else: a few plain words. */
  MIXED;

  private static final Pattern WORD = Pattern.compile("\\S+");
  // letters and digits mixed, or joined by - _ . / : # with a digit or a capital on either side
  private static final Pattern CODE = Pattern.compile(
    "(?=.*\\p{L})(?=.*\\p{N})[\\p{L}\\p{N}_./:#+-]{2,}|\\p{L}+[_#][\\p{L}\\p{N}_]+|\\p{Lu}{2,}[\\p{Lu}\\p{N}_-]*");
  private static final Set<String> QUESTION_WORDS = Set.of("what", "how", "why", "when", "where", "who", "whom",
    "which", "whose", "is", "are", "was", "were", "can", "could", "does", "do", "did", "should", "would", "will",
    "may", "must", "has", "have");

  static QueryShape of(String query) {
    String text = query.strip();
    var words = WORD.matcher(text).results().map(m -> m.group().replaceAll("^[\\p{P}&&[^#]]+|[\\p{P}&&[^+#]]+$", ""))
      .filter(w -> !w.isEmpty()).toList();
    if (words.isEmpty()) {
      return MIXED;
    }
    boolean code = words.stream().anyMatch(w -> CODE.matcher(w).matches());
    if (words.size() <= 2 || (code && words.size() <= 4)) {
      return KEYWORD_LIKE;
    }
    boolean question = text.endsWith("?") || QUESTION_WORDS.contains(words.getFirst().toLowerCase(Locale.ROOT));
    if (words.size() >= 6 || (question && words.size() >= 3)) {
      return NATURAL_LANGUAGE;
    }
    return MIXED;
  }
}
