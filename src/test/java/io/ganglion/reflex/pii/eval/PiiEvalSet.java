package io.ganglion.reflex.pii.eval;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PII evaluation set: texts made from the templates of {@code src/test/resources/pii-eval/templates-<split>.tsv}
 * with values from {@link PiiSamples}, each with its gold spans. Deterministic: one seed per split. The {@code tune}
 * split is what the detectors were tuned on; the {@code report} split (other templates, two phone writings the tuning
 * half never shows, another seed) is what bench/RESULTS.md reports.
 * <p>
 * {@code main} writes both splits as JSON lines to {@code src/test/resources/pii-eval/<split>.jsonl}, for the
 * evaluator and for anyone who wants to read them; {@code PiiEvalSetTest} checks the files are current.
 */
public final class PiiEvalSet {

  /** One text and the PII planted in it. */
  public record Sample(String id, String lang, int template, String text, List<Gold> gold) {

    JsonObject toJson() {
      JsonArray spans = new JsonArray();
      gold.forEach(g -> spans.add(new JsonObject().put("type", g.type()).put("start", g.start()).put("end", g.end())
        .put("kind", g.kind())));
      return new JsonObject().put("id", id).put("lang", lang).put("template", template).put("text", text)
        .put("spans", spans);
    }

    static Sample fromJson(JsonObject json) {
      List<Gold> gold = new ArrayList<>();
      json.getJsonArray("spans").forEach(o -> {
        JsonObject g = (JsonObject) o;
        gold.add(new Gold(g.getString("type"), g.getInteger("start"), g.getInteger("end"), g.getString("kind")));
      });
      return new Sample(json.getString("id"), json.getString("lang"), json.getInteger("template"),
        json.getString("text"), gold);
    }
  }

  /** A gold span: the API's type name, the half-open range, and what was planted (country, network, writing). */
  public record Gold(String type, int start, int end, String kind) {
  }

  static final List<String> TUNE_PHONE_STYLES = List.of("e164", "intl", "intl-dash", "intl-trunk", "idd", "national",
    "national", "national", "national-dash", "national-dots", "national-slash", "national-brackets", "groups2",
    "groups3", "groups4", "nbsp");
  static final List<String> REPORT_PHONE_STYLES = List.of("e164", "intl", "intl-dash", "intl-dots", "intl-trunk",
    "idd", "national", "national", "national", "national-dash", "national-dots", "national-slash",
    "national-brackets", "groups2", "groups3", "groups4", "spaced-dash", "nbsp");

  /** The countries whose numbers a template in each language mentions when it names none. */
  static final Map<String, List<String>> REGIONS_BY_LANG = Map.of(
    "en", List.of("US", "US", "GB", "GB", "CA", "AU", "IE", "IN"),
    "de", List.of("DE", "DE", "DE", "AT", "CH"),
    "fr", List.of("FR", "FR", "FR", "BE", "CH"),
    "es", List.of("ES", "ES", "ES", "MX", "AR", "CO"),
    "it", List.of("IT"),
    "pt", List.of("PT", "BR", "BR"),
    "nl", List.of("NL", "NL", "BE"));

  private static final int COPIES = 10;
  private static final Pattern SLOT = Pattern.compile("\\{([a-z0-9]+)(?::([A-Za-z]+))?}");

  private PiiEvalSet() {
  }

  /** The {@code tune} or {@code report} split, generated. */
  public static List<Sample> generate(String split) {
    boolean tune = split.equals("tune");
    if (!tune && !split.equals("report")) {
      throw new IllegalArgumentException("split is tune or report, got " + split);
    }
    Random random = new Random(tune ? 15_001L : 15_002L);
    PiiSamples values = new PiiSamples(random, tune ? TUNE_PHONE_STYLES : REPORT_PHONE_STYLES);
    List<Sample> samples = new ArrayList<>();
    List<String[]> templates = templates(split);
    for (int copy = 0; copy < COPIES; copy++) {
      for (int t = 0; t < templates.size(); t++) {
        String lang = templates.get(t)[0];
        samples.add(fill(split + "-" + samples.size(), lang, t, templates.get(t)[1], values));
      }
    }
    return samples;
  }

  /** The split as stored in {@code src/test/resources/pii-eval/<split>.jsonl}. */
  public static List<Sample> load(String split) {
    try (InputStream in = PiiEvalSet.class.getResourceAsStream("/pii-eval/" + split + ".jsonl")) {
      if (in == null) {
        throw new IllegalStateException("/pii-eval/" + split + ".jsonl is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank())
        .map(l -> Sample.fromJson(new JsonObject(l))).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String jsonLines(List<Sample> samples) {
    StringBuilder out = new StringBuilder();
    samples.forEach(s -> out.append(s.toJson().encode()).append('\n'));
    return out.toString();
  }

  private static Sample fill(String id, String lang, int template, String pattern, PiiSamples values) {
    StringBuilder text = new StringBuilder();
    List<Gold> gold = new ArrayList<>();
    Matcher m = SLOT.matcher(pattern);
    int last = 0;
    while (m.find()) {
      text.append(pattern, last, m.start());
      last = m.end();
      String slot = m.group(1);
      String arg = m.group(2);
      if (slot.equals("d")) {
        text.append(values.distractor(arg));
        continue;
      }
      PiiSamples.Value value = switch (slot) {
        case "phone" -> values.phone(arg != null ? arg : values.pick(REGIONS_BY_LANG.get(lang)));
        case "card" -> values.card(true);
        case "iban" -> values.iban(true);
        case "email" -> values.email();
        case "ssn" -> values.ssn();
        case "ipv4" -> values.ipv4();
        case "ipv6" -> values.ipv6();
        default -> throw new IllegalArgumentException("unknown slot {" + slot + "} in " + pattern);
      };
      int start = text.length();
      text.append(value.text());
      gold.add(new Gold(typeOf(slot), start, text.length(), value.kind()));
    }
    text.append(pattern.substring(last));
    return new Sample(id, lang, template, text.toString(), gold);
  }

  private static String typeOf(String slot) {
    return switch (slot) {
      case "card" -> "credit_card";
      default -> slot;
    };
  }

  private static List<String[]> templates(String split) {
    try (InputStream in = PiiEvalSet.class.getResourceAsStream("/pii-eval/templates-" + split + ".tsv")) {
      List<String[]> out = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] fields = line.split("\t", 2);
        out.add(fields);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes both splits under {@code dir} (default {@code src/test/resources/pii-eval}). */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/pii-eval");
    for (String split : List.of("tune", "report")) {
      Files.writeString(dir.resolve(split + ".jsonl"), jsonLines(generate(split)));
    }
  }
}
