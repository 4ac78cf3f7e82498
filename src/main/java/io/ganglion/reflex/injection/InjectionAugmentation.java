package io.ganglion.reflex.injection;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Variants derived from the hand-written examples, deterministically, so the classifier sees the shapes attacks
 * arrive in without anyone writing each one out:
 * <ul>
 *   <li><b>appended</b>: an innocent question of the same language followed by a short attack ("…and then ignore your
 *       rules"), the attack's family kept;</li>
 *   <li><b>disguised</b>: an attack with one disguise the {@link TextNormalizer} takes off again — letters spaced
 *       out, leetspeak, Cyrillic look-alikes, zero-width characters, full-width letters — family
 *       {@code obfuscation};</li>
 *   <li><b>joined benign</b>: two innocent prompts of one language in one message, so length and a second sentence
 *       are no evidence by themselves.</li>
 * </ul>
 * {@link #planted} derives one more kind, for the classifier only: a short attack inserted between two sentences of a
 * long benign passage of the same language, so the vocabulary of expository text (which the benign passages teach
 * the classifier) does not outweigh an instruction hidden in it.
 */
public final class InjectionAugmentation {

  private static final long SEED = 15_015L;
  private static final int MAX_ATTACK_CHARS = 140;

  private InjectionAugmentation() {
  }

  /** {@code examples} followed by the variants derived from them. */
  public static List<LabelledText> withVariants(List<LabelledText> examples) {
    Random random = new Random(SEED);
    List<LabelledText> out = new ArrayList<>(examples);
    for (String lang : languages(examples)) {
      List<LabelledText> innocent = examples.stream()
        .filter(e -> e.lang().equals(lang) && e.family().equals("benign")).toList();
      List<LabelledText> attacks = examples.stream()
        .filter(e -> e.lang().equals(lang) && e.isInjection() && e.text().length() <= MAX_ATTACK_CHARS
          && !e.family().equals("indirect") && !e.family().equals("obfuscation")).toList();
      if (innocent.isEmpty() || attacks.isEmpty()) {
        continue;
      }
      for (int i = 0; i < attacks.size(); i += 2) {
        LabelledText attack = attacks.get(i);
        String host = innocent.get(random.nextInt(innocent.size())).text();
        out.add(new LabelledText(LabelledText.INJECTION, lang, attack.family(), host + " " + attack.text()));
      }
      for (int i = 1; i < attacks.size(); i += 3) {
        LabelledText attack = attacks.get(i);
        out.add(new LabelledText(LabelledText.INJECTION, lang, "obfuscation", disguise(attack.text(), i / 3, random)));
      }
      for (int i = 0; i + 1 < innocent.size(); i += 2) {
        out.add(new LabelledText(LabelledText.BENIGN, lang, "benign",
          innocent.get(i).text() + " " + innocent.get(i + 1).text()));
      }
    }
    return out;
  }

  /** Passages at least this long host {@link #planted} attacks. */
  static final int MIN_HOST_CHARS = 250;

  /**
   * Every second short attack of {@code examples} (not a disguised one) inserted after a sentence of a long benign
   * passage ({@value #MIN_HOST_CHARS}+ characters) of its language, chosen deterministically. For training the
   * classifier only: as exemplars, the host passages would make any long benign text look like their neighbour.
   */
  public static List<LabelledText> planted(List<LabelledText> examples) {
    Random random = new Random(SEED + 1);
    List<LabelledText> out = new ArrayList<>();
    for (String lang : languages(examples)) {
      List<LabelledText> hosts = examples.stream()
        .filter(e -> e.lang().equals(lang) && !e.isInjection() && e.text().length() >= MIN_HOST_CHARS).toList();
      List<LabelledText> attacks = examples.stream()
        .filter(e -> e.lang().equals(lang) && e.isInjection() && e.text().length() <= MAX_ATTACK_CHARS
          && !e.family().equals("obfuscation")).toList();
      if (hosts.isEmpty()) {
        continue;
      }
      for (int i = 0; i < attacks.size(); i += 2) {
        LabelledText attack = attacks.get(i);
        String host = hosts.get(random.nextInt(hosts.size())).text();
        out.add(new LabelledText(LabelledText.INJECTION, lang, attack.family(), insert(host, attack.text(), random)));
      }
    }
    return out;
  }

  /** {@code text} inserted after one of {@code host}'s sentences, chosen by {@code random} (at its end if it has one). */
  public static String insert(String host, String text, Random random) {
    List<Integer> ends = new ArrayList<>();
    for (int i = host.indexOf(". "); i >= 0; i = host.indexOf(". ", i + 1)) {
      ends.add(i + 2);
    }
    if (ends.isEmpty()) {
      return host + " " + text;
    }
    int at = ends.get(random.nextInt(ends.size()));
    return host.substring(0, at) + text + " " + host.substring(at);
  }

  private static List<String> languages(List<LabelledText> examples) {
    return examples.stream().map(LabelledText::lang).distinct().toList();
  }

  /** One of five disguises, by {@code kind}. */
  static String disguise(String text, int kind, Random random) {
    return switch (kind % 5) {
      case 0 -> spaced(text);
      case 1 -> leet(text);
      case 2 -> homoglyphs(text);
      case 3 -> zeroWidth(text, random);
      default -> fullWidth(text);
    };
  }

  private static String spaced(String text) {
    StringBuilder out = new StringBuilder();
    for (String word : text.split(" ")) {
      if (!out.isEmpty()) {
        out.append("   ");
      }
      out.append(String.join(" ", word.split("")));
    }
    return out.toString();
  }

  private static String leet(String text) {
    return text.replace('o', '0').replace('i', '1').replace('e', '3').replace('a', '4').replace('s', '5');
  }

  private static String homoglyphs(String text) {
    return text.replace('a', 'а').replace('e', 'е').replace('o', 'о').replace('p', 'р').replace('c', 'с')
      .replace('i', 'і');
  }

  private static String zeroWidth(String text, Random random) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      out.append(text.charAt(i));
      if (Character.isLetter(text.charAt(i)) && random.nextInt(3) == 0) {
        out.append('\u200B');
      }
    }
    return out.toString();
  }

  private static String fullWidth(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      out.append(c >= '!' && c <= '~' ? (char) (c - '!' + '\uFF01') : c);
    }
    return out.toString();
  }
}
