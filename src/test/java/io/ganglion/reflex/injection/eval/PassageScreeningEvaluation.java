package io.ganglion.reflex.injection.eval;

import io.ganglion.inference.onnx.KnownModels;
import io.ganglion.reflex.injection.CascadeThresholds;
import io.ganglion.reflex.injection.InjectionAugmentation;
import io.ganglion.reflex.injection.InjectionDataset;
import io.ganglion.reflex.injection.InjectionDetector;
import io.ganglion.reflex.injection.InjectionVerdict;
import io.ganglion.reflex.injection.LabelledText;
import io.ganglion.retrieval.impl.TokenizerCounter;
import io.ganglion.retrieval.ingest.Chunk;
import io.ganglion.retrieval.ingest.Chunker;
import io.ganglion.retrieval.ingest.MalformedDocumentException;
import io.ganglion.retrieval.ingest.PlainTextParser;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Ingest-time screening on a corpus nobody here wrote: the SciFact abstracts (benign scientific text, read from
 * {@code /work/shared/data/scifact/corpus.jsonl}, never copied into the repository), cut into chunks exactly as
 * ingestion cuts them (bge-small's tokenizer, 256 tokens, 32 overlap), screened as passages.
 * <p>
 * The corpus is split in two halves by a hash of the document id: {@link Half#TUNE} is the only one any setting was
 * chosen on, {@link Half#REPORT} is only reported. Besides the benign chunks, each half gets <b>planted</b> passages:
 * a chunk of the half with one attack inserted at a sentence boundary (seeded). The tuning half plants the attacks of
 * {@code passage-attacks-tune.tsv}; the report half plants every injection of {@code heldout.tsv} and
 * {@code passages.tsv}, neither of which the detector trains on. Precision counts the planted passages found against
 * the benign chunks of the same half that were flagged.
 */
public final class PassageScreeningEvaluation {

  /** Where the SciFact corpus lives on this machine; {@code -Dscifact.corpus=…} overrides it. */
  public static final Path CORPUS = Path.of(System.getProperty("scifact.corpus",
    "/work/shared/data/scifact/corpus.jsonl"));

  /** The two halves of the corpus. */
  public enum Half { TUNE, REPORT }

  /** What one half gave. */
  public record Result(Half half, int chunks, int flagged, Map<String, Integer> flaggedByStage, int planted, int found,
                       List<String> flaggedTexts, List<String> missed) {

    public double flaggedShare() {
      return chunks == 0 ? 0 : (double) flagged / chunks;
    }

    public double recall() {
      return planted == 0 ? 1 : (double) found / planted;
    }

    public double precision() {
      return found + flagged == 0 ? 1 : (double) found / (found + flagged);
    }

    public String row(String detector) {
      return String.format(Locale.ROOT, "| %s | %s | %d | %d (%.1f%%) %s | %d | %d | %.3f | %.3f |", detector,
        half.name().toLowerCase(Locale.ROOT), chunks, flagged, 100 * flaggedShare(), flaggedByStage, planted, found,
        recall(), precision());
    }
  }

  private PassageScreeningEvaluation() {
  }

  /** True when the corpus is on this machine. */
  public static boolean available() {
    return Files.isReadable(CORPUS);
  }

  /** The benign chunks of {@code half}, in corpus order. */
  public static List<String> chunks(Half half) {
    try (TokenizerCounter tokens = TokenizerCounter.of(KnownModels.named(KnownModels.BGE_SMALL_EN_V15).orElseThrow());
         Stream<String> lines = Files.lines(CORPUS)) {
      Chunker chunker = new Chunker(tokens, 256, 32);
      PlainTextParser parser = new PlainTextParser();
      List<String> out = new ArrayList<>();
      for (String line : (Iterable<String>) lines::iterator) {
        JsonObject doc = new JsonObject(line);
        String text = doc.getString("text");
        if (Math.floorMod(doc.getString("_id").hashCode(), 2) != half.ordinal() || text == null || text.isBlank()) {
          continue;
        }
        for (Chunk c : chunker.chunk(parser.parse(text))) {
          out.add(c.text());
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (MalformedDocumentException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The attacks planted into {@code half}'s chunks. */
  public static List<LabelledText> attacks(Half half) {
    if (half == Half.TUNE) {
      return InjectionDataset.read("/injection-eval/passage-attacks-tune.tsv");
    }
    List<LabelledText> out = new ArrayList<>();
    for (String file : List.of("/injection-eval/heldout.tsv", "/injection-eval/passages.tsv")) {
      InjectionDataset.read(file).stream().filter(LabelledText::isInjection).forEach(out::add);
    }
    return out;
  }

  /** Screens {@code half} with {@code detector}, deciding at {@code t.threshold()}. */
  public static Result evaluate(Half half, List<String> chunks, Function<String, InjectionVerdict> detector,
                                CascadeThresholds t) {
    int flagged = 0;
    Map<String, Integer> byStage = new TreeMap<>();
    List<String> flaggedTexts = new ArrayList<>();
    for (String chunk : chunks) {
      InjectionVerdict v = detector.apply(chunk);
      if (v.score() >= t.threshold()) {
        flagged++;
        byStage.merge(v.stage(), 1, Integer::sum);
        flaggedTexts.add(String.format(Locale.ROOT, "%s %.2f %s | %s", v.stage(), v.score(), v.rules(), chunk));
      }
    }
    Random random = new Random(15_015L + half.ordinal());
    List<LabelledText> attacks = attacks(half);
    int found = 0;
    List<String> missed = new ArrayList<>();
    for (LabelledText attack : attacks) {
      String planted = InjectionAugmentation.insert(chunks.get(random.nextInt(chunks.size())), attack.text(), random);
      InjectionVerdict v = detector.apply(planted);
      if (v.score() >= t.threshold()) {
        found++;
      } else {
        missed.add(String.format(Locale.ROOT, "[%s/%s] %.2f %s", attack.lang(), attack.family(), v.score(),
          attack.text()));
      }
    }
    return new Result(half, chunks.size(), flagged, byStage, attacks.size(), found, flaggedTexts, missed);
  }

  /**
   * The training attacks planted into the tune half by cross-validation (folds grouped by translation): each fold's
   * attacks go into random tune chunks and are screened by the detector trained on the other folds. Prints the found
   * share per family. For choosing passage settings without the report half. {@code -Dplain=true} turns the object
 * reading off (here and in {@code main}).
   */
  static void crossValidatedPlanting(CascadeThresholds t) {
    List<String> chunks = chunks(Half.TUNE);
    Random random = new Random(15_015L);
    Map<String, int[]> byFamily = new TreeMap<>();
    boolean plain = Boolean.getBoolean("plain");
    InjectionEvaluation.folds(5, 20240611L, (trained, test) -> {
      InjectionDetector detector = plain ? trained.withObjectWeights(0, 0) : trained;
      for (LabelledText attack : test) {
        if (!attack.isInjection()) {
          continue;
        }
        String planted = InjectionAugmentation.insert(chunks.get(random.nextInt(chunks.size())), attack.text(), random);
        boolean found = detector.detectPassage(planted, t, null).score() >= t.threshold();
        for (String key : List.of("all", attack.family())) {
          int[] c = byFamily.computeIfAbsent(key, k -> new int[2]);
          c[0] += found ? 1 : 0;
          c[1]++;
        }
      }
    });
    byFamily.forEach((family, c) -> System.out.printf(Locale.ROOT, "planted %s: %d / %d (%.3f)%n", family, c[0], c[1],
      (double) c[0] / c[1]));
  }

  /**
   * {@code PassageScreeningEvaluation [tune|report|cvplant] [flagged|missed]}: the bundled detector screening one half as
   * ingestion does (as passages), printed as a Markdown row, optionally with the flagged benign chunks or the
   * planted attacks it missed.
   */
  public static void main(String[] args) {
    CascadeThresholds t = InjectionEvaluation.thresholds();
    if (args.length > 0 && args[0].equals("cvplant")) {
      crossValidatedPlanting(t);
      return;
    }
    Half half = args.length > 0 && args[0].equals("report") ? Half.REPORT : Half.TUNE;
    InjectionDetector detector = Boolean.getBoolean("plain") ? InjectionDetector.bundled().withObjectWeights(0, 0)
      : InjectionDetector.bundled();
    Result r = evaluate(half, chunks(half), text -> detector.detectPassage(text, t, null), t);
    System.out.println("| detector | half | chunks | benign flagged | planted | found | recall | precision |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    System.out.println(r.row(detector.version()));
    if (args.length > 1) {
      (args[1].equals("missed") ? r.missed() : r.flaggedTexts()).forEach(System.out::println);
    }
  }
}
