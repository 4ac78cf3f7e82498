package io.ganglion.reflex.pii;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A configured custom type ({@code reflex.pii.custom}): every match of {@code pattern} is a finding of type
 * {@code name}. Empty matches are ignored.
 */
public final class PatternDetector implements PiiDetector {

  private final String name;
  private final Pattern pattern;
  private final double score;

  public PatternDetector(String name, Pattern pattern, double score) {
    this.name = name;
    this.pattern = pattern;
    this.score = score;
  }

  @Override
  public void detect(String text, List<Finding> out) {
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      if (m.end() > m.start()) {
        out.add(new Finding(name, m.start(), m.end(), score));
      }
    }
  }
}
