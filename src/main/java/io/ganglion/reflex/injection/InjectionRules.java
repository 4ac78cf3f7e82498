package io.ganglion.reflex.injection;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Hand-written rules for the canonical injection and jailbreak phrasings, in English and German. Each rule has a
 * weight; {@link InjectionDetector} combines the weights of the rules that fire with the classifier's probability.
 * <p>
 * Rules are written narrowly: "ignore" must reach "previous instructions", "developer mode" must be something the
 * assistant is told it is in. Talking about rules, prompts or jailbreaks is the classifier's call, not a rule's.
 * <p>
 * <b>NOTE</b>: immutable and thread-safe.
 */
public final class InjectionRules {

  /** A named rule and how strongly a match alone suggests an injection. */
  public record Rule(String name, Pattern pattern, double weight) {
  }

  private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
  private static final String GAP = "[^.!?\\n]{0,40}?";

  private static final List<Rule> BUILT_IN = List.of(
    rule("ignore_previous_instructions", 0.8,
      "\\b(ignore|disregard|forget|overlook|drop|override)\\b" + GAP
        + "\\b(previous|prior|above|earlier|preceding|all|your|any|the)\\b[^.!?\\n]{0,20}?"
        + "\\b(instructions?|prompts?|rules|directions|guidelines|guidance)\\b"),
    rule("ignore_previous_instructions_de", 0.8,
      "\\b(ignorier\\w*|vergiss|vergessen|missachte\\w*|übergehe\\w*|schenke)\\b" + GAP
        + "\\b(vorherigen?|bisherigen?|obigen?|alle|deine[nm]?|früheren?)\\b" + GAP
        + "\\b(anweisungen|instruktionen|regeln|vorgaben|richtlinien|befehle)\\b"),
    rule("reveal_system_prompt", 0.7,
      "\\b(reveal|show|print|repeat|output|display|dump|leak|spell|copy|tell me)\\b" + GAP
        + "(system ?prompt|system message|(initial|original|hidden|secret) (prompt|instructions|rules|preamble|context)"
        + "|your (instructions|prompt|configuration|rules|preamble))"),
    rule("reveal_system_prompt_de", 0.7,
      "\\b(zeig\\w*|gib|wiederhole|verrate|kopiere|buchstabiere|leg)\\b" + GAP
        + "(system-?prompt|systemnachricht|systemanweisungen|anfangsprompt"
        + "|deine[nrm]? (anweisungen|konfiguration|prompt|regeln)|versteckten? (anweisungen|kontext|präambel))"),
    rule("unrestricted_persona", 0.7,
      "\\b(you are|you're|you will be|act as|pretend to be)\\b" + GAP
        + "\\b(DAN|do anything now|developer mode|jailbreak mode|jailbroken|unrestricted|uncensored|unfiltered)\\b"),
    rule("unrestricted_persona_de", 0.7,
      "\\b(du bist|ab (sofort|jetzt) bist du|du befindest dich|tu so)\\b" + GAP
        + "\\b(DAN|entwicklermodus|jailbreak|unzensiert\\w*|ungefiltert\\w*|ohne (regeln|einschränkungen|zensur|filter))"),
    rule("no_restrictions", 0.5,
      "\\b(no|without( any)?|free from)\\b (restrictions|content polic(y|ies)|filters|censorship|ethical guidelines"
        + "|safety (rules|checks|training))\\b"),
    rule("no_restrictions_de", 0.5,
      "\\bohne (jegliche )?(einschränkungen|zensur|inhaltsfilter|regeln|richtlinien)\\b"),
    rule("fake_system_message", 0.6,
      "(\\[system]|<system>|###\\s*new system|system override|systemüberschreibung|new system message"
        + "|neue systemnachricht)"),
    rule("exfiltration", 0.6,
      "\\b(send|e-?mail|post|append|forward|sende|hänge)\\b[^.!?\\n]{0,60}?"
        + "\\b(conversation|chat ?history|session token|api keys?|chatverlauf|sitzungstoken)\\b"),
    rule("markdown_image_exfiltration", 0.6, "!\\[[^\\]]*]\\(https?://[^)\\s]*\\?[^)\\s]*="));

  private final List<Rule> rules;

  public InjectionRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** The built-in English and German rules. */
  public static InjectionRules builtIn() {
    return new InjectionRules(BUILT_IN);
  }

  /** The rules that match somewhere in {@code text}, in rule order. */
  public List<Rule> matching(String text) {
    List<Rule> hits = null;
    for (Rule r : rules) {
      if (r.pattern().matcher(text).find()) {
        if (hits == null) {
          hits = new ArrayList<>(2);
        }
        hits.add(r);
      }
    }
    return hits == null ? List.of() : hits;
  }

  private static Rule rule(String name, double weight, String regex) {
    return new Rule(name, Pattern.compile(regex, FLAGS), weight);
  }
}
