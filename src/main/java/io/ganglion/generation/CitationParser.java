package io.ganglion.generation;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the citation markers of a reply written under {@link CitationPrompt}: {@code [3]}, {@code [1, 4]},
 * {@code [1,2,5]}, and maps them to the passages they number. Numbers outside {@code 1..passages.size()} (a model
 * inventing sources) are ignored; so is bracketed text that is not a list of numbers ({@code [sic]}, {@code [a, b]}).
 */
public final class CitationParser {

  private static final Pattern MARKER = Pattern.compile("\\[\\s*(\\d{1,4}(?:\\s*,\\s*\\d{1,4})*)\\s*]");

  private CitationParser() {
  }

  /** The distinct passage numbers cited, in order of first appearance, before range checking. */
  public static List<Integer> markers(String reply) {
    Set<Integer> numbers = new LinkedHashSet<>();
    Matcher matcher = MARKER.matcher(reply);
    while (matcher.find()) {
      for (String number : matcher.group(1).split(",")) {
        numbers.add(Integer.parseInt(number.strip()));
      }
    }
    return List.copyOf(numbers);
  }

  /**
   * The passages {@code reply} cites, each once, in order of first citation.
   *
   * @param passages the list the prompt rendered, in the same order
   */
  public static <T> List<Citation<T>> parse(String reply, List<T> passages) {
    List<Citation<T>> citations = new ArrayList<>();
    for (int number : markers(reply)) {
      if (number >= 1 && number <= passages.size()) {
        citations.add(new Citation<>(number, passages.get(number - 1)));
      }
    }
    return citations;
  }
}
