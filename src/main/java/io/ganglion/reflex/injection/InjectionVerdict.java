package io.ganglion.reflex.injection;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * How likely a text is a prompt injection or jailbreak, and why.
 *
 * @param score the combined probability in {@code [0, 1]} the label is decided on
 * @param modelScore the n-gram classifier's probability alone
 * @param rules the names of the rules that fired
 * @param families the attack families of those rules, without repeats
 * @param objects what the {@link TriggerObjects trigger words} take as objects ("ignore: benign object"), empty
 *                when the text has none
 * @param stage the cascade stage that decided: {@code rules} (a rule and the classifier agree beyond the band),
 *              {@code ngram}, {@code exemplars}, {@code embedding}, or {@code none} when not checked
 * @param exemplarScore the nearest examples' vote, or -1 when that stage did not run
 * @param embeddingScore the embedding classifier's probability, or -1 when that stage did not run
 * @param nearest the most similar training example when the exemplar stage ran (for explanations), else null
 * @param note why a stage was skipped or failed ({@code embedding unavailable: …}), else null
 * @param version the detector's version: normaliser, rules, model and stages it ran with
 */
public record InjectionVerdict(double score, double modelScore, List<String> rules, List<String> families,
                               List<String> objects, String stage, double exemplarScore, double embeddingScore,
                               String nearest, String note, String version) {

  /** The verdict for text that was not checked (injection detection off for its direction). */
  public static final InjectionVerdict NOT_CHECKED =
    new InjectionVerdict(0, 0, List.of(), List.of(), List.of(), "none", -1, -1, null, null, null);

  public InjectionVerdict {
    rules = List.copyOf(rules);
    families = List.copyOf(families);
    objects = List.copyOf(objects);
  }

  /** {@code injection} when {@code score >= threshold}, else {@code benign}. */
  public String label(double threshold) {
    return score >= threshold ? LabelledText.INJECTION : LabelledText.BENIGN;
  }

  /** This verdict decided again by a later stage. */
  public InjectionVerdict decidedBy(String stage, double score, double embeddingScore, String note) {
    return new InjectionVerdict(score, modelScore, rules, families, objects, stage, exemplarScore, embeddingScore, nearest,
      note, version);
  }

  /** This verdict with a note (why the next stage did not run). */
  public InjectionVerdict withNote(String note) {
    return new InjectionVerdict(score, modelScore, rules, families, objects, stage, exemplarScore, embeddingScore, nearest,
      note, version);
  }

  /**
   * {@code {"label","score","modelScore","rules":[...],"families":[...],"objects"?:[...],"stage","stages":{"ngram",
   * "exemplars"?,
   * "embedding"?},"nearest"?,"note"?,"version"}}.
   */
  public JsonObject toJson(double threshold) {
    JsonObject stages = new JsonObject().put("ngram", modelScore);
    if (exemplarScore >= 0) {
      stages.put("exemplars", exemplarScore);
    }
    if (embeddingScore >= 0) {
      stages.put("embedding", embeddingScore);
    }
    JsonObject json = new JsonObject().put("label", label(threshold)).put("score", score).put("modelScore", modelScore)
      .put("rules", new JsonArray(rules)).put("families", new JsonArray(families)).put("stage", stage)
      .put("stages", stages);
    if (!objects.isEmpty()) {
      json.put("objects", new JsonArray(objects));
    }
    if (nearest != null) {
      json.put("nearest", nearest.length() > 120 ? nearest.substring(0, 117) + "..." : nearest);
    }
    if (note != null) {
      json.put("note", note);
    }
    if (version != null) {
      json.put("version", version);
    }
    return json;
  }
}
