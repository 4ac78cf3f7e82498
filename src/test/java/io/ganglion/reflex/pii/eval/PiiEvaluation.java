package io.ganglion.reflex.pii.eval;

import io.ganglion.reflex.pii.Finding;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Scores a PII detector against {@link PiiEvalSet}: per type, a gold span is found when a finding of the same type
 * overlaps at least half of it (the offsets of a phone number's brackets or an IBAN's spaces are a matter of taste);
 * a finding that overlaps no gold span of its type is a false positive. {@code exact} counts findings whose offsets
 * equal the gold span's.
 */
public final class PiiEvaluation {

  /** Counts of one type (or one kind, such as {@code phone:DE:national}). */
  public static final class Counts {
    public int gold;
    public int found;
    public int exact;
    public int falsePositives;

    public double recall() {
      return gold == 0 ? 1 : (double) found / gold;
    }

    public double precision() {
      return found + falsePositives == 0 ? 1 : (double) found / (found + falsePositives);
    }
  }

  /** Per type and overall ({@code all}), and per planted kind; plus the misses and false alarms, for reading. */
  public record Report(Map<String, Counts> byType, Map<String, Counts> byKind, List<String> misses,
                       List<String> falseAlarms) {

    public Counts all() {
      return byType.get("all");
    }

    /** A Markdown table: type, gold, recall, precision, exact offsets. */
    public String table() {
      StringBuilder out = new StringBuilder("| type | gold | recall | precision | exact offsets |\n|---|---|---|---|---|\n");
      byType.forEach((type, c) -> out.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f |%n", type,
        c.gold, c.recall(), c.precision(), c.found == 0 ? 0 : (double) c.exact / c.found)));
      return out.toString();
    }
  }

  private PiiEvaluation() {
  }

  /** Runs {@code detector} over every sample. */
  public static Report evaluate(List<PiiEvalSet.Sample> samples, Function<String, List<Finding>> detector) {
    Map<String, Counts> byType = new TreeMap<>();
    Map<String, Counts> byKind = new TreeMap<>();
    List<String> misses = new ArrayList<>();
    List<String> falseAlarms = new ArrayList<>();
    Counts all = new Counts();
    byType.put("all", all);
    for (PiiEvalSet.Sample sample : samples) {
      List<Finding> findings = detector.apply(sample.text());
      boolean[] used = new boolean[findings.size()];
      for (PiiEvalSet.Gold g : sample.gold()) {
        Counts type = byType.computeIfAbsent(g.type(), k -> new Counts());
        Counts kind = byKind.computeIfAbsent(kindKey(g.kind()), k -> new Counts());
        type.gold++;
        kind.gold++;
        all.gold++;
        int match = -1;
        for (int i = 0; i < findings.size(); i++) {
          Finding f = findings.get(i);
          int overlap = Math.min(f.end(), g.end()) - Math.max(f.start(), g.start());
          if (f.type().equals(g.type()) && overlap * 2 >= g.end() - g.start()) {
            match = i;
            break;
          }
        }
        if (match < 0) {
          misses.add(g.kind() + " «" + sample.text().substring(g.start(), g.end()) + "» in: " + sample.text());
          continue;
        }
        used[match] = true;
        type.found++;
        kind.found++;
        all.found++;
        Finding f = findings.get(match);
        if (f.start() == g.start() && f.end() == g.end()) {
          type.exact++;
          all.exact++;
        }
      }
      for (int i = 0; i < findings.size(); i++) {
        Finding f = findings.get(i);
        if (used[i] || coveredByGoldOfType(f, sample)) {
          continue;
        }
        byType.computeIfAbsent(f.type(), k -> new Counts()).falsePositives++;
        all.falsePositives++;
        falseAlarms.add(f.type() + " «" + sample.text().substring(f.start(), f.end()) + "» in: " + sample.text());
      }
    }
    return new Report(byType, byKind, misses, falseAlarms);
  }

  // a second finding over the same gold span (a phone split in two) is neither a hit nor a false alarm
  private static boolean coveredByGoldOfType(Finding f, PiiEvalSet.Sample sample) {
    for (PiiEvalSet.Gold g : sample.gold()) {
      if (g.type().equals(f.type()) && f.start() >= g.start() && f.end() <= g.end()) {
        return true;
      }
    }
    return false;
  }

  /** The findings {@code POST /v1/guard} reports for a text. */
  static Function<String, List<Finding>> overHttp(String url, String key) {
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    return text -> {
      try {
        java.net.http.HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(url + "/v1/guard")).header("Authorization", "Bearer " + key)
          .header("Content-Type", "application/json")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(new io.vertx.core.json.JsonObject()
            .put("text", text).put("direction", "stored").encode())).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          throw new IllegalStateException("POST /v1/guard answered " + response.statusCode() + ": " + response.body());
        }
        List<Finding> out = new ArrayList<>();
        new io.vertx.core.json.JsonObject(response.body()).getJsonArray("findings").forEach(o -> {
          io.vertx.core.json.JsonObject f = (io.vertx.core.json.JsonObject) o;
          out.add(new Finding(f.getString("type"), f.getInteger("start"), f.getInteger("end"), f.getDouble("score")));
        });
        return out;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    };
  }

  private static String kindKey(String kind) {
    // phone:DE:national -> phone:DE:national ; card:visa:16:space4 -> card:visa
    String[] parts = kind.split(":");
    return parts[0].equals("card") || parts[0].equals("iban") ? parts[0] + ":" + parts[1] + ":" + parts[parts.length - 1]
      : kind;
  }

  /**
   * {@code PiiEvaluation <split> [misses] [<url> <key>]}: scores the built-in scanner in process, or with a URL and
   * an API key a running server through {@code POST /v1/guard}, and prints the table (and, with {@code misses},
   * every miss and false alarm). {@code bench/pii-eval.sh} starts a server and runs the latter.
   */
  public static void main(String[] args) {
    String split = args.length > 0 ? args[0] : "report";
    int at = args.length > 1 && args[1].equals("misses") ? 2 : 1;
    Function<String, List<Finding>> detector;
    if (args.length >= at + 2) {
      detector = overHttp(args[at], args[at + 1]);
    } else {
      detector = io.ganglion.reflex.pii.PiiScanner.withBuiltIns(24, 4.0, List.of())::scan;
    }
    Report report = evaluate(PiiEvalSet.load(split), detector);
    System.out.println(report.table());
    if (at == 2) {
      report.byKind().forEach((k, c) -> {
        if (c.found < c.gold) {
          System.out.printf(Locale.ROOT, "%-40s %d/%d%n", k, c.found, c.gold);
        }
      });
      report.misses().forEach(m -> System.out.println("MISS " + m));
      report.falseAlarms().forEach(m -> System.out.println("FP   " + m));
    }
  }
}
