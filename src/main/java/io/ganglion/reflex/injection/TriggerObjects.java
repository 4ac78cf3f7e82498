package io.ganglion.reflex.injection;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the object of the words injections are made of — "ignore", "forget", "follow", "repeat", "pretend you are",
 * "from now on" and their counterparts in German, Spanish, French, Italian, Portuguese and Dutch — in the
 * {@link TextNormalizer normalised} text, and says whether it is something an attacker wants the model to drop or
 * become (earlier instructions, rules, the system prompt, everything above, a persona without rules) or something of
 * the user's own world (my earlier question, the formal tone, the warning light, the assembly instructions of a
 * shelf, a tour guide).
 * <p>
 * Character n-grams see "forget the formal tone" and "forget your rules" as nearly the same text; the object is what
 * tells them apart. {@link InjectionDetector} uses the reading in its first stage when no rule fired: when every
 * trigger in a prompt has a benign object, the first stage's odds are divided by {@code exp(2)}, so such a prompt is
 * decided benign there instead of going on to the exemplar stage; a trigger with an attack object adds a noisy-or
 * weight of 0.5. In a passage, an attack object addressed to the model beside a translation or summary request makes
 * {@link InjectionRules#TRANSLATION_IN_A_PASSAGE}.
 * <p>
 * The object is the words after the trigger up to the end of its clause (a comma, colon, semicolon, quote, bracket
 * or sentence end), at most {@value #SPAN} words. It is an <b>attack</b> object when it holds "everything" or an AI
 * persona, or an attack word (instructions, rules, guidelines, prompt, restrictions, filters, task…) that either is
 * addressed to the model (a second-person possessive or an "earlier" word in the object) or comes without any word of
 * the user's world; a <b>benign</b> object when it holds a word of the user's world (a first-person word, a question,
 * a draft, a tone, a warning, a file, a step, a profession) and is no attack object. Anything else is unknown and
 * changes nothing.
 * <p>
 * <b>NOTE</b>: stateless and thread-safe; a few microseconds per prompt (one pass over its words).
 */
public final class TriggerObjects {

  /** Bumped whenever a vocabulary or the reading changes; part of the detector's version. */
  public static final String VERSION = "objects-1";

  /** The most words read after a trigger. */
  public static final int SPAN = 7;

  /**
   * What the triggers of one text take as objects: how many triggers, benign objects, attack objects, and attack
   * objects addressed to the model (by a second-person possessive or an "earlier" word, or everything / a persona
   * without rules) — "bypass the immune system" is an attack object, but not an addressed one.
   */
  public record Reading(int triggers, int benign, int attack, int addressed, List<String> notes) {

    /** Every trigger has a benign object and none an attack object. */
    public boolean allBenign() {
      return triggers > 0 && benign == triggers && attack == 0;
    }
  }

  /** No trigger at all. */
  public static final Reading NONE = new Reading(0, 0, 0, 0, List.of());

  // one-word triggers (exact words after normalisation), seven languages
  private static final Set<String> VERBS = set(
    // drop something: ignore, forget, disregard, skip
    "ignore", "ignoring", "disregard", "forget", "overlook", "skip", "bypass", "override",
    "ignoriere", "ignorier", "ignorieren", "ignoriert", "vergiss", "vergesst", "vergessen", "missachte", "übergehe",
    "ignora", "ignorar", "ignores", "ignoren", "ignorara", "olvida", "olvide", "olvidar", "olvídate", "olvídalo", "omite",
    "ignorez", "oublie", "oubliez", "oublier", "néglige",
    "ignorare", "dimentica", "dimenticare", "dimenticate", "scorda", "trascura",
    "ignorem", "esqueça", "esquece", "esquecer", "desconsidere",
    "negeer", "negeren", "vergeet", "vergeten",
    // follow, obey
    "follow", "obey", "befolge", "befolgen", "folge", "sigue", "siga", "seguir", "obedece", "suis", "suivez", "suivre",
    "obéis", "segui", "seguire", "seguite", "obbedisci", "volg", "volgen", "gehoorzaam",
    // repeat, reveal, show, print
    "repeat", "reveal", "print", "wiederhole", "verrate", "repite", "revela", "répète", "révèle", "ripeti", "rivela",
    "repita", "revele", "herhaal", "onthul");

  // two- and three-word triggers: a persona, from now on
  private static final List<String[]> PHRASES = phrases(
    "act as", "acting as", "pretend you are", "pretend to be", "pretend that you are", "play the role of",
    "you are now", "from now on", "roleplay as",
    "du bist jetzt", "du bist nun", "du bist ab jetzt", "tu so als", "tu so, als", "spiel die rolle", "ab jetzt",
    "ab sofort", "von nun an", "stell dir vor du bist",
    "ahora eres", "actúa como", "finge que eres", "finge ser", "haz de", "a partir de ahora", "desde ahora",
    "tu es maintenant", "maintenant tu es", "agis comme", "fais semblant d'être", "joue le rôle", "désormais",
    "à partir de maintenant", "dorénavant",
    "ora sei", "adesso sei", "fingi di essere", "comportati come", "fai finta di essere", "d'ora in poi", "da ora in poi",
    "agora você é", "agora és", "finja que é", "finja ser", "aja como", "a partir de agora", "de agora em diante",
    "je bent nu", "doe alsof je", "speel de rol van", "vanaf nu", "van nu af aan");

  // attack words: what an attacker wants dropped, revealed or become
  private static final Set<String> ATTACK = set(
    "instructions", "instruction", "rules", "guidelines", "directions", "prompt", "prompts", "programming",
    "restrictions", "filters", "filter", "constraints", "orders", "commands", "policy", "policies", "ethics", "morals",
    "training", "safety", "guardrails", "limits", "censorship", "system", "context", "developer",
    "anweisungen", "anweisung", "regeln", "richtlinien", "vorgaben", "befehle", "einschränkungen", "systemprompt",
    "kontext", "zensur", "programmierung",
    "instrucciones", "reglas", "normas", "directrices", "órdenes", "restricciones", "contexto", "filtros",
    "consignes", "règles", "directives", "ordres", "contexte", "filtres",
    "istruzioni", "regole", "direttive", "ordini", "restrizioni", "contesto", "filtri",
    "instruções", "regras", "diretrizes", "ordens", "restrições",
    "instructies", "regels", "richtlijnen", "opdrachten", "beperkingen",
    "without", "sin", "sans", "senza", "sem", "zonder", "ohne",
    // the task the model was given
    "task", "aufgabe", "tarea", "tâche", "compito", "tarefa", "taak", "translation", "übersetzung", "traducción",
    "traduction", "traduzione", "tradução", "vertaling", "summary", "zusammenfassung", "resumen", "résumé", "riassunto",
    "resumo", "samenvatting", "above", "oben", "arriba", "dessus", "sopra",
    "acima", "hierboven");

  // attack words whatever else the object holds: everything, a persona without rules
  private static final Set<String> STRONG = set(
    "everything", "alles", "todo", "tout", "tutto", "tudo",
    "dan", "jailbreak", "jailbroken", "unrestricted", "uncensored", "unfiltered", "evil", "amoral", "hacker", "terminal",
    "ai", "ki", "ia", "model", "modell", "modelo", "modèle", "modello", "chatbot", "unzensiert", "unzensierte",
    "uneingeschränkt");

  // words that address the model: an attack word after one of these is the model's
  private static final Set<String> ADDRESSED = set(
    "your", "yours", "previous", "prior", "above", "earlier", "preceding", "initial", "original", "all", "any", "hidden",
    "secret", "old",
    "deine", "deinen", "deiner", "deines", "dein", "alle", "vorherigen", "bisherigen", "obigen", "früheren",
    "ursprünglichen", "versteckten", "alten",
    "tus", "tu", "anteriores", "previas", "todas", "todos", "ocultas", "viejas",
    "tes", "ton", "ta", "vos", "votre", "précédentes", "toutes", "tous", "anciennes", "cachées",
    "tue", "tuoi", "tua", "tuo", "precedenti", "tutte", "tutti", "vecchie", "nascoste",
    "suas", "seus", "tuas", "teus", "sua", "teu", "anteriores", "antigas", "ocultas",
    "je", "jouw", "vorige", "eerdere", "oude", "verborgen");

  // words of the user's own world: a first-person possessive, or what a user innocently drops, follows or repeats
  private static final Set<String> BENIGN = set(
    "i", "i'll", "we", "we'll", "ich", "wir", "yo", "voy", "nosotros", "nous", "io", "noi", "eu", "vou", "nós", "ik",
    "wij",
    "my", "mine", "our", "mein", "meine", "meinen", "meiner", "unsere", "unseren", "mi", "mis", "nuestra", "nuestro",
    "mon", "ma", "mes", "notre", "nos", "mio", "mia", "miei", "mie", "nostro", "nostra", "meu", "minha", "meus",
    "minhas", "nosso", "nossa", "mijn", "onze", "ons",
    // what is dropped, followed, repeated
    "question", "questions", "draft", "tone", "style", "format", "warning", "warnings", "error", "errors", "typo",
    "budget", "light", "noise", "file", "files", "folder", "step", "steps", "answer", "email", "mail", "invoice",
    "recipe", "label", "manual", "assembly", "installation", "doctor", "manufacturer", "washing", "care", "package",
    "frage", "fragen", "entwurf", "ton", "stil", "warnung", "warnleuchte", "fehler", "datei", "dateien", "ordner",
    "schritt", "antwort", "rechnung", "rezept", "etikett", "anleitung", "aufbauanleitung", "gebrauchsanweisung",
    "pregunta", "borrador", "tono", "estilo", "aviso", "advertencia", "error", "archivo", "carpeta", "paso", "respuesta",
    "factura", "receta", "etiqueta", "montaje", "manual", "fabricante", "presupuesto",
    "brouillon", "avertissement", "erreur", "fichier", "dossier", "étape", "réponse", "facture", "recette",
    "étiquette", "montage", "notice", "fabricant",
    "domanda", "bozza", "tono", "stile", "avviso", "errore", "cartella", "passaggio", "risposta", "fattura",
    "ricetta", "etichetta", "montaggio", "produttore",
    "pergunta", "rascunho", "tom", "estilo", "erro", "arquivo", "pasta", "passo", "resposta", "fatura", "receita",
    "rótulo", "montagem", "fabricante", "orçamento",
    "vraag", "concept", "toon", "stijl", "waarschuwing", "fout", "bestand", "map", "stap", "antwoord", "factuur",
    "recept", "etiket", "montage", "handleiding", "fabrikant",
    // a profession or part a user asks the model to play
    "tutor", "teacher", "guide", "customer", "client", "interviewer", "proofreader", "translator", "coach",
    "recruiter", "editor", "examiner", "lehrer", "stadtführer", "kunde", "korrekturleser", "übersetzer",
    "profesor", "guía", "cliente", "corrector", "traductor", "entrevistador", "professeur", "correcteur",
    "traducteur", "recruteur", "professore", "guida", "correttore", "traduttore", "professor", "revisor",
    "tradutor", "entrevistador", "docent", "bijlesdocent", "gids", "klant", "corrector", "vertaler");

  private TriggerObjects() {
  }

  /** The reading of the normalised {@code text}. */
  public static Reading read(String text) {
    List<String> words = new ArrayList<>();
    List<Boolean> clauseEnds = new ArrayList<>();
    tokenize(text, words, clauseEnds);
    int triggers = 0;
    int benign = 0;
    int attack = 0;
    int addressed = 0;
    List<String> notes = null;
    for (int i = 0; i < words.size(); i++) {
      int after = triggerEnd(words, clauseEnds, i);
      if (after < 0) {
        continue;
      }
      triggers++;
      int kind = object(words, clauseEnds, after);
      if (kind > 0) {
        attack++;
        addressed += kind > 1 ? 1 : 0;
      } else if (kind < 0) {
        benign++;
      }
      if (notes == null) {
        notes = new ArrayList<>(2);
      }
      notes.add(String.join(" ", words.subList(i, after)) + ": " + (kind > 0 ? "attack" : kind < 0 ? "benign" : "unknown")
        + " object");
      i = after - 1;
    }
    return triggers == 0 ? NONE : new Reading(triggers, benign, attack, addressed, notes);
  }

  // the index after the trigger starting at i, or -1
  private static int triggerEnd(List<String> words, List<Boolean> clauseEnds, int i) {
    for (String[] phrase : PHRASES) {
      if (i + phrase.length <= words.size()) {
        boolean match = true;
        for (int k = 0; k < phrase.length && match; k++) {
          match = words.get(i + k).equals(phrase[k]);
        }
        if (match) {
          return i + phrase.length;
        }
      }
    }
    return VERBS.contains(words.get(i)) ? i + 1 : -1;
  }

  // +2 addressed attack, +1 attack, -1 benign, 0 unknown: the words from `from` to the clause's end, at most SPAN. An attack word is the
  // model's ("your rules", "all previous instructions", "the rules" alone) unless the object also names something of
  // the user's world and nothing addresses the model ("the instructions on the label", "my draft")
  private static int object(List<String> words, List<Boolean> clauseEnds, int from) {
    boolean benign = false;
    boolean attack = false;
    boolean strong = false;
    boolean addressed = false;
    for (int k = from; k < Math.min(words.size(), from + SPAN); k++) {
      String w = words.get(k);
      addressed |= ADDRESSED.contains(w);
      strong |= STRONG.contains(w);
      attack |= ATTACK.contains(w);
      benign |= BENIGN.contains(w) || w.startsWith("j'"); // j'enverrai, j'ai: the user speaking
      if (clauseEnds.get(k)) {
        break;
      }
    }
    if (strong || attack && addressed) {
      return 2;
    }
    if (attack && !benign) {
      return 1;
    }
    return benign ? -1 : 0;
  }

  private static void tokenize(String text, List<String> words, List<Boolean> clauseEnds) {
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (Character.isLetterOrDigit(c)) {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '\'' || text.charAt(i) == '-')) {
          i++;
        }
        words.add(text.substring(start, i));
        clauseEnds.add(false);
      } else {
        if (!words.isEmpty() && (c == ',' || c == '.' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\n'
          || c == '(' || c == ')' || c == '"' || c == '«' || c == '»' || c == '–')) {
          clauseEnds.set(clauseEnds.size() - 1, true);
        }
        i++;
      }
    }
  }

  private static Set<String> set(String... words) {
    return Set.copyOf(java.util.Arrays.asList(words));
  }

  private static List<String[]> phrases(String... phrases) {
    List<String[]> out = new ArrayList<>();
    for (String p : phrases) {
      out.add(p.replace(",", "").split(" "));
    }
    // longest first, so "pretend that you are" wins over "pretend to be"
    out.sort((a, b) -> b.length - a.length);
    return out;
  }
}
