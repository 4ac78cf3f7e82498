package io.ganglion.reflex.injection;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Hand-written rules for the canonical injection and jailbreak phrasings in English, German, Spanish, French,
 * Italian, Portuguese and Dutch, one rule per attack family, matched against the {@link TextNormalizer normalised}
 * text (lower case, disguises removed). Each rule has a weight; {@link InjectionDetector} combines the weights of
 * the rules that fire with the classifier's probability.
 * <p>
 * Rules are written narrowly: "ignore" must reach "previous instructions", "forget" must reach "everything before",
 * a persona must be one without rules. Talking about rules, prompts, passwords or jailbroken phones is the
 * classifier's call, not a rule's.
 * <p>
 * <b>NOTE</b>: immutable and thread-safe.
 */
public final class InjectionRules {

  /**
   * A named rule, the attack family it belongs to, how strongly a match alone suggests an injection, and its
   * triggers: the rule's pattern is tried only on a text where each trigger group has a hit (a word starting with one
   * of its {@code stems}, or one of its {@code phrases} anywhere) — a rule about ignoring instructions needs both an
   * ignoring word and an instructions word — which keeps most prompts at a few microseconds of rules.
   */
  public record Rule(String name, String family, Pattern pattern, double weight, List<Trigger> triggers) {
  }

  /** One trigger group of a rule: word stems and phrases, any of which is a hit. */
  public record Trigger(List<String> stems, List<String> phrases) {
  }

  /** Bumped whenever a rule changes, so verdicts and traces can say which rules decided. */
  public static final String VERSION = "rules-4";

  private static final String GAP = "[^.!?\\n]{0,40}?";
  private static final String SHORT = "[^.!?\\n]{0,20}?";

  // what is ignored: earlier instructions, in seven languages
  private static final String EARLIER =
    "(previous|prior|above|earlier|preceding|all|your|any|initial|original|system|old|existing"
      + "|vorherigen?|bisherigen?|obigen?|alle[ns]?|deine[nms]?|früheren?|ursprünglichen?|vorigen?|deiner"
      + "|anteriores?|previas?|todas?|tus|precedentes?|précédentes?|toutes?|tes|vos"
      + "|precedenti|tutte|tutti|le tue|i tuoi|anteriores|todas|suas|seus|vorige|eerdere|alle|je|jouw)";
  private static final String INSTRUCTIONS =
    "(instructions?|prompts?|rules|directions|guidelines|guidance|orders|commands|constraints|programming|context"
      + "|anweisungen|instruktionen|regeln|vorgaben|richtlinien|befehle|anordnungen|kontext"
      + "|instrucciones|reglas|órdenes|indicaciones|directrices|normas|consignes|règles|directives|ordres"
      + "|istruzioni|regole|direttive|indicazioni|ordini|instruções|regras|diretrizes|ordens|orientações"
      + "|instructies|regels|richtlijnen|opdrachten|aanwijzingen)";
  private static final String IGNORE =
    "(ignore|disregard|forget|overlook|drop|override|bypass|skip|discard|neglect|abandon"
      + "|ignorier\\w*|vergiss|vergesst|vergessen|missachte\\w*|übergehe\\w*|überschreib\\w*|verwirf"
      + "|ignora\\w*|olvida\\w*|olvídate|omite|descarta|desobedece|ignore[sz]?|oublie[sz]?|néglige[sz]?"
      + "|dimentica\\w*|trascura|scorda|ignore|esqueça|esquece|desconsidere|despreze|negligencie"
      + "|negeer|vergeet|veronachtzaam|overschrijf)";

  private static final List<Rule> BUILT_IN = List.of(
    rule("ignore_previous_instructions", "override", 0.8,
      "ignor disregard forget overlook drop overrid bypass skip discard neglect abandon vergiss vergesst vergessen missacht übergeh überschreib verwirf olvid omite descart desobedec oubli néglig dimentic trascur scord esque desconsider desprez negligenc negeer vergeet veronachtza overschrijf;instruction prompt rule direction guideline guidance order command constraint programming context anweisung instruktion regel vorgabe richtlinie befehl anordnung kontext instrucci regla órden indicacion directri norma consigne règle directive ordre istruzion regol diretti indicazion ordin instruç regra diretri orden orientaç instructie regel richtlijn opdracht aanwijzing",
      "\\b" + IGNORE + "\\b" + GAP + "\\b" + EARLIER + "\\b" + SHORT + "\\b" + INSTRUCTIONS + "\\b"),
    rule("forget_everything", "override", 0.75,
      "forget ignor disregard vergiss olvid oubli dimentic esque negeer vergeet",
      "\\b(forget|ignore|disregard|vergiss|ignoriere|olvida|olvídate de|ignora|oublie|dimentica|esqueça|esquece"
        + "|negeer|vergeet)\\b (everything|alles|todo|lo|tout|tutto|tudo|wat)\\b" + SHORT
        + "\\b(before|above|prior|previous|said|told|so far|earlier|until now|up to now|vorher|davor|zuvor|oben|bisher"
        + "|gesagt|anterior|antes|dicho|arriba|hasta ahora|avant|précède|précédemment|dit|jusqu'ici|prima|sopra|detto"
        + "|finora|fino ad ora|acima|dito|até agora|hiervoor|eerder|gezegd|tot nu toe|boven)\\b"),
    rule("new_instructions", "override", 0.6,
      "new updated real actual neue neuen echten nuevas verdaderas nouvelles vraies nuove vere novas verdadeiras nieuwe echte",
      "\\b(new|updated|real|actual|neue|neuen|echten|nuevas|verdaderas|nouvelles|vraies|nuove|vere|novas"
        + "|verdadeiras|nieuwe|echte)\\b (instructions|anweisungen|instrucciones|consignes|instructions|istruzioni"
        + "|instruções|instructies|task|aufgabe|tarea|tâche|compito|tarefa|taak)\\b\\s*(:|are|sind|son|sont|sono"
        + "|são|zijn|is|ist|es|est|è|é)"),
    rule("from_now_on_you", "override", 0.55,
      "now starting henceforth ab von partir desde ahora maintenant désormais dorénavant ora daqui agora vanaf van",
      "\\b(from now on|starting now|henceforth|ab (jetzt|sofort)|von nun an|a partir de (ahora|agora)|desde ahora"
        + "|de ahora en adelante|à partir de maintenant|désormais|dorénavant|d'ora in poi|da ora in (poi|avanti)"
        + "|daqui em diante|de agora em diante|vanaf nu|van nu af aan)\\b" + SHORT
        + "\\b(you|du|dich|dir|tu|eres|serás|responde\\w*|vous|êtes|sei|sarai|rispondi|você|és|vais|jij|je bent"
        + "|antwoord|bist|wirst|antworte\\w*|réponds|answer|respond|reply)\\b"),
    rule("unrestricted_persona", "roleplay", 0.75,
      "dan anything developer dev god jailbr unrestrict uncensor unfilter amoral evil without entwicklermodus unzensiert ungefiltert uneingeschränkt ohne sin modo sans mode senza modalità sem zonder ontwikkelaarsmodus",
      "\\b(you are|you're|you will be|act as|acting as|pretend (to be|you are)|roleplay as|play the role of|become"
        + "|du bist|sei|tu so als|spiel\\w*|ahora eres|eres|actúa como|finge (ser|que eres)|tu es|vous êtes|agis comme"
        + "|fais semblant d'être|joue le rôle|ora sei|sei|fingi di essere|comportati come|agora você é|você é|és"
        + "|finja ser|aja como|je bent|ben je|doe alsof je|speel de rol)\\b" + GAP
        + "\\b(dan|do anything now|developer mode|dev mode|god mode|jailbreak\\w*|jailbroken|unrestricted|uncensored"
        + "|unfiltered|amoral|evil|without (any )?(rules|restrictions|limits|filters|guidelines|ethics)"
        + "|entwicklermodus|unzensiert\\w*|ungefiltert\\w*|uneingeschränkt\\w*|ohne (regeln|einschränkungen|grenzen"
        + "|zensur|filter)|sin (restricciones|reglas|censura|filtros|límites)|modo desarrollador"
        + "|sans (restrictions|règles|censure|filtres|limites)|mode développeur|senza (restrizioni|regole|censura"
        + "|filtri|limiti)|modalità sviluppatore|sem (restrições|regras|censura|filtros|limites)"
        + "|modo desenvolvedor|zonder (beperkingen|regels|censuur|filters)|ontwikkelaarsmodus)"),
    rule("persona_switch", "roleplay", 0.3,
      "|you are now|now you are|you're now|act as if|pretend|du bist|bist du|stell dir vor|ahora eres|imagina que|tu es|imagine que|ora sei|adesso sei|da ora sei|immagina di|agora você|agora és|je bent nu|ben je|stel je voor|from now on you",
      "\\b(you are now|from now on you are|you're now|now you are|act as if you were|pretend (that )?you are"
        + "|du bist (jetzt|nun|ab sofort)|ab (jetzt|sofort) bist du|stell dir vor,? du bist|ahora eres"
        + "|a partir de ahora eres|imagina que eres|tu es (maintenant|désormais)|maintenant tu es|imagine que tu es"
        + "|ora sei|adesso sei|da ora sei|immagina di essere|agora você é|agora és|imagine que você é"
        + "|je bent nu|vanaf nu ben je|stel je voor dat je)\\b"),
    rule("reveal_system_prompt", "leak", 0.7,
      "reveal show print repeat output display dump leak spell copy tell write give list recite zeig gib wiederhol verrat kopier buchstabier nenn schreib ausgeb muestr revel repit dime escrib imprim copi montr révèl répèt affich écri donne dis-moi mostr rivel ripet stamp scriv dimm damm diga escreva imprima laat toon herhaal geef schrijf vertel;system prompt initial original hidden secret first starting instructions configuration rules preamble guidelines text words everything what message above before preceding oben davor vorher deine versteckt alles systemprompt systemnachricht systemanweisungen anfangsprompt anweisungen konfiguration regeln anterior arriba tus instrucciones mensaje texto ci-dessus au-dessus haut avant tes vos instructions texte sopra prima istruzioni testo tue messaggio acima antes suas tuas instruções mensagem hierboven daarvoor systeemprompt systeembericht instructies tekst",
      "\\b(reveal|show|print|repeat|output|display|dump|leak|spell|copy|tell me|write out|give me|list|recite"
        + "|zeig\\w*|gib|wiederhole\\w*|verrate\\w*|kopiere|buchstabiere|nenne|schreib\\w*|ausgeben"
        + "|muestra\\w*|revela\\w*|repite\\w*|dime|escribe|imprime|copia|montre\\w*|révèle\\w*|répète\\w*|affiche\\w*"
        + "|écris|donne|dis-moi|mostra\\w*|rivela\\w*|ripeti\\w*|stampa|scrivi|dimmi|dammi|mostre|revele|repita"
        + "|imprima|escreva|diga|me dê|laat|toon|herhaal|geef|schrijf|vertel)\\b" + GAP
        + "(system ?prompt|system message|(initial|original|hidden|secret|first|starting) (prompt|instructions|rules"
        + "|message|text)|your (instructions|prompt|configuration|rules|preamble|guidelines)|(the )?(text|words"
        + "|everything|what was written|what is written|what's written|the message) (above|before|preceding)"
        + "|systemprompt|systemnachricht|systemanweisungen|anfangsprompt|deine[nrm]? (anweisungen|konfiguration|prompt"
        + "|regeln)|versteckten? (anweisungen|kontext)|(was|den text|alles) (oben|davor|vorher)"
        + "|prompt del sistema|mensaje del sistema|tus instrucciones|(el texto|lo) (anterior|de arriba|que está arriba)"
        + "|prompt système|message système|tes instructions|vos instructions|(le texte|ce qui est écrit|ce qui est)"
        + " (ci-dessus|au-dessus|plus haut|avant)|prompt di sistema|messaggio di sistema|le tue istruzioni"
        + "|(il testo|quello scritto|ciò che è scritto) (sopra|prima)|prompt do sistema|mensagem do sistema"
        + "|suas instruções|tuas instruções|(o texto|o que está escrito) (acima|antes)|systeemprompt|systeembericht"
        + "|je instructies|(de tekst|wat er) (hierboven|staat hierboven|daarvoor))"),
    rule("no_restrictions", "roleplay", 0.5,
      "restriction content filter censor ethical safety einschränk zensur inhaltsfilter restricc censura filtro restriç censure filtre restrizion filtri beperking censuur",
      "\\b(no|without( any)?|free from|ohne( jegliche)?|sin( ninguna)?|sans( aucune)?|senza( alcuna)?|sem( nenhuma)?"
        + "|zonder)\\b (restrictions|content polic(y|ies)|filters|censorship|ethical guidelines|safety (rules|checks)"
        + "|einschränkungen|zensur|inhaltsfilter|restricciones|censura|filtros|restrições|censure|filtres|restrizioni"
        + "|filtri|beperkingen|censuur)\\b"),
    rule("fake_system_message", "override", 0.6,
      "|[system]|<system>|<|im_start|>|###|system override|admin override|systemüberschreibung|system message|systemnachricht|mensaje del sistema|message système|messaggio di sistema|mensagem do sistema|systeembericht|[admin]|[developer]|[root]",
      "(\\[system]|<system>|<\\|im_start\\|>|###\\s*(new )?system|system override|admin override|systemüberschreibung"
        + "|new system message|neue systemnachricht|nuevo mensaje del sistema|nouveau message système"
        + "|nuovo messaggio di sistema|nova mensagem do sistema|nieuw systeembericht|\\[(admin|developer|root)])"),
    rule("exfiltration", "indirect", 0.6,
      "send mail e-mail email post append forward upload sende schicke hänge envía envia manda envoie transmets invia inoltra stuur;conversation chat session api password passwords credentials chatverlauf sitzungstoken zugangsdaten historial conversación contraseñas historique mots cronologia credenziali histórico senhas gespreksgeschiedenis wachtwoorden",
      "\\b(send|e-?mail|post|append|forward|upload|sende|schicke|hänge|envía|envia|manda|envoie|transmets|invia"
        + "|inoltra|stuur)\\b[^.!?\\n]{0,60}?\\b(conversation|chat ?history|session (token|cookie)|api keys?"
        + "|passwords?|credentials|chatverlauf|sitzungstoken|zugangsdaten|historial|conversación|contraseñas"
        + "|historique|mots de passe|cronologia|credenziali|histórico|senhas|gespreksgeschiedenis|wachtwoorden)\\b"),
    rule("markdown_image_exfiltration", "indirect", 0.6,
      "|](", "!\\[[^\\]]*]\\(\\s*urladdress\\?="),
    rule("addressed_to_the_ai", "indirect", 0.6,
      "ai assistant llm llms chatbot language model ki assistenten ki-assistenten ia asistente l'ia l'assistant l'assistente un'ia assistent|<!--;note message instruction attention if reading hinweis nachricht anweisung wenn nota mensaje instrucción si messaggio istruzione se mensagem instrução notitie bericht instructie als|<!--",
      "(\\b(note|message|instruction|attention) (to|for) (the )?(ai|assistant|llm|chatbot|language model|model)\\b"
        + "|\\bif you are an? (ai|llm|language model|assistant|chatbot)\\b|\\b(ai|llm|assistant|chatbot)s? reading this\\b"
        + "|\\b(hinweis|nachricht|anweisung) (an|für) (die|den) (ki|assistenten|ki-assistenten)\\b|\\bwenn du eine ki bist\\b"
        + "|\\b(nota|mensaje|instrucción) para (la|el) (ia|asistente)\\b|\\bsi eres una ia\\b"
        + "|\\b(note|message|instruction) (pour|à) (l'ia|l'assistant)\\b|\\bsi (tu es|vous êtes) une ia\\b"
        + "|\\b(nota|messaggio|istruzione) per (l'ia|l'assistente)\\b|\\bse sei un'ia\\b"
        + "|\\b(nota|mensagem|instrução) para (a ia|o assistente)\\b|\\bse (você é|és) uma ia\\b"
        + "|\\b(notitie|bericht|instructie) (voor|aan) (de )?(ai|assistent)\\b|\\bals je een ai bent\\b"
        + "|<!--[^>]{0,80}\\b(ai|assistant|ki|ia|llm)\\b)"),
    rule("payload_splitting", "splitting", 0.6,
      "combine concatenat join put kombinier verbinde füge combina concatena une junta combine assembl voeg|=",
      "(\\b[a-z]\\d?\\s*=\\s*['\"][^'\"]{2,80}['\"][^=]{0,80}\\b[a-z]\\d?\\s*=\\s*['\"][^'\"]{2,80}['\"][^+]{0,120}"
        + "\\b[a-z]\\d?\\s*\\+\\s*[a-z]\\d?\\b"
        + "|\\b(combine|concatenate|join|put together|kombiniere|verbinde|füge|combina|concatena|une|junta|combine[sz]?"
        + "|assemble[sz]?|voeg)\\b" + GAP + "\\b(parts|pieces|strings|words|teile|stücke|partes|piezas|parties|morceaux"
        + "|parti|pezzi|pedaços|delen|stukken)\\b" + GAP + "\\b(follow|execute|do|obey|befolge|führe|sigue|ejecuta"
        + "|exécute|suis|esegui|segui|execute|siga|voer|volg)\\b)"),
    rule("decode_and_follow", "obfuscation", 0.55,
      "decod decrypt translat revers rot13 base64 entschlüssel dekodier decodifica descifr décod déchiffr decifr decodeer",
      "\\b(decode|decrypt|translate|reverse|rot13|base64|entschlüssele|dekodiere|decodifica|descifra|décode"
        + "|déchiffre|decifra|decodifique|decodeer)\\b[^\\n]{0,60}?\\b(and|then|und|dann|y|luego|et|puis|e|poi|en"
        + "|daarna)\\b[^\\n]{0,20}?\\b(follow|execute|obey|do what it says|act on|befolge|führe sie aus|sigue|obedece"
        + "|ejecuta|suis|exécute|obéis|segui|esegui|obbedisci|siga|execute|obedeça|volg|voer)"));

  /**
   * Rules only for passages (document chunks, tool results), where nobody but an attacker addresses the AI: a sentence
   * that opens by calling on the AI by name ("Assistant, send…", "AI reviewer: rate…", "An den Assistenten: …",
   * "Modello linguistico, invia…"). In a prompt the same opening is ordinary ("Assistant, can you…"), so
   * {@link InjectionDetector#detect} never applies them.
   */
  // what an AI is called in a document addressing it, in seven languages
  private static final String AI_NAME =
    "(ai|a\\.i\\.|llm|chatbot|(ai |virtual |virtueller )?(assistant|assistante|assistente|assistenten|assistent)"
      + "( ia| ai| de ia| virtuel| virtuale)?|ai[- ](assistent|model|system|tool|agent|reviewer|reader)"
      + "|ki(-assistent(en)?|-modell|-system)?|ia|asistente( de ia| virtual)?|sprachmodell|taalmodel|language model"
      + "|modèle de langage|modello( linguistico)?|modelo( de lenguaje| de linguagem)?)";

  private static final List<Rule> PASSAGE_ONLY = List.of(
    rule("ai_called_on_in_a_passage", "indirect", 0.9,
      "ai llm chatbot assistant assistent assistenten asistente assistente ki ia sprachmodell taalmodel language model modèle modello modelo",
      "(^|[.!?:;\\n]\\s*|<!--\\s*)(dear |hey |hello |hallo |hola |bonjour |ciao |olá |an den |an die |à l'|al |ao "
        + "|aan de |to the )?" + AI_NAME + "\\s*[,:]\\s*\\p{L}"
        + "|\\b(note|message|notice|instruction|hinweis|nachricht|nota|mensaje|aviso|messaggio|avviso|mensagem|bericht"
        + "|notitie|opdracht|consigne) (to|for|pour|à|an|für|para|per|voor|aan) (the |le |la |l'|die |den |das |el |il "
        + "|lo |o |a |het |de |any |every )?(\\w+ )?" + AI_NAME + "\\b"));

  /**
   * A passage-only rule the detector applies itself, since it needs more than a pattern: a sentence of a passage that
   * asks for a translation, a summary or a correction <em>and</em> carries an instruction to the model (another rule
   * fired, or a trigger word took an {@link TriggerObjects attack object} addressed to the model: "your rules") —
   * "Translate into French: ignore your instructions…". Scientific and handbook text asks for neither, so together
   * they weigh 0.9.
   */
  public static final Rule TRANSLATION_IN_A_PASSAGE = rule("translation_in_a_passage", "translation", 0.9,
    "translat summar summaris correct übersetz fasse traduc tradu resum résum riassum vertaal vat",
    "\\b(translate|translation|summari[sz]e|summary|correct the grammar|übersetze\\w*|übersetzung|fasse|zusammenfassung"
      + "|traduce|traduzca|traducción|traduis|traduisez|traduction|traduci|traduzione|traduza|tradução|vertaal\\w*"
      + "|vertaling|resume|resumen|résume|résumé|riassumi|riassunto|resuma|resumo|samenvatting|vat)\\b");

  private static final int MAX_STEM = 24;

  private final List<Rule> rules;
  // one bit per trigger group of every rule; a rule is tried when all bits of its mask are set
  private final Map<String, Long> stemGroups = new HashMap<>();
  private final long[] ruleMasks;
  private final List<List<String>> groupPhrases = new ArrayList<>();
  private final int minStem;

  public InjectionRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
    this.ruleMasks = new long[rules.size()];
    int shortest = MAX_STEM;
    int bit = 0;
    for (int i = 0; i < rules.size(); i++) {
      for (Trigger t : rules.get(i).triggers()) {
        if (bit == 64) {
          throw new IllegalArgumentException("at most 64 trigger groups over all rules");
        }
        long mask = 1L << bit++;
        ruleMasks[i] |= mask;
        for (String stem : t.stems()) {
          stemGroups.merge(stem, mask, (a, b) -> a | b);
          shortest = Math.min(shortest, stem.length());
        }
        groupPhrases.add(t.phrases());
      }
    }
    this.minStem = shortest;
  }

  /** The built-in rules of every family and language. */
  public static InjectionRules builtIn() {
    return new InjectionRules(BUILT_IN);
  }

  /** The rules {@link InjectionDetector#detectPassage} applies to passages besides {@link #builtIn}. */
  public static InjectionRules passageOnly() {
    return new InjectionRules(PASSAGE_ONLY);
  }

  /** The rules that match somewhere in the normalised {@code text}, in rule order. */
  public List<Rule> matching(String text) {
    long triggered = triggered(text);
    List<Rule> hits = null;
    for (int i = 0; i < rules.size(); i++) {
      Rule r = rules.get(i);
      if ((triggered & ruleMasks[i]) == ruleMasks[i] && r.pattern().matcher(text).find()) {
        if (hits == null) {
          hits = new ArrayList<>(2);
        }
        hits.add(r);
      }
    }
    return hits == null ? List.of() : hits;
  }

  // the rules whose triggers occur: each word's prefixes looked up once, each phrase searched once
  private long triggered(String text) {
    long bits = 0;
    int n = text.length();
    int i = 0;
    while (i < n) {
      while (i < n && !Character.isLetterOrDigit(text.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '\'' || text.charAt(i) == '-')) {
        i++;
      }
      for (int end = start + minStem; end <= Math.min(i, start + MAX_STEM); end++) {
        Long groupsOfStem = stemGroups.get(text.substring(start, end));
        if (groupsOfStem != null) {
          bits |= groupsOfStem;
        }
      }
    }
    for (int g = 0; g < groupPhrases.size(); g++) {
      if ((bits & (1L << g)) == 0) {
        for (String phrase : groupPhrases.get(g)) {
          if (text.contains(phrase)) {
            bits |= 1L << g;
            break;
          }
        }
      }
    }
    return bits;
  }

  // triggers: groups separated by ';', each space-separated word stems, then after '|' '|'-separated phrases
  private static Rule rule(String name, String family, double weight, String triggers, String regex) {
    List<Trigger> groups = new ArrayList<>();
    for (String group : triggers.split(";")) {
      int bar = group.indexOf('|');
      String stems = bar < 0 ? group : group.substring(0, bar);
      List<String> phrases = bar < 0 ? List.of() : List.of(group.substring(bar + 1).split("\\|"));
      groups.add(new Trigger(stems.isBlank() ? List.of() : List.of(stems.trim().split(" ")), phrases));
    }
    // UNICODE_CHARACTER_CLASS: \\b must see "é" and "ç" as letters ("você é", "précédentes")
    return new Rule(name, family,
      Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS), weight,
      groups);
  }
}
