package io.ganglion.reflex.injection;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * How likely a text is a prompt injection or jailbreak.
 *
 * @param score the combined probability in {@code [0, 1]}
 * @param modelScore the classifier's probability alone
 * @param rules the names of the rules that fired
 */
public record InjectionVerdict(double score, double modelScore, List<String> rules) {

  /** The verdict for text that was not checked (injection detection off for its direction). */
  public static final InjectionVerdict NOT_CHECKED = new InjectionVerdict(0, 0, List.of());

  /** {@code injection} when {@code score >= threshold}, else {@code benign}. */
  public String label(double threshold) {
    return score >= threshold ? LabelledText.INJECTION : LabelledText.BENIGN;
  }

  /** {@code {"label","score","modelScore","rules":[...]}}. */
  public JsonObject toJson(double threshold) {
    return new JsonObject().put("label", label(threshold)).put("score", score).put("modelScore", modelScore)
      .put("rules", new JsonArray(List.copyOf(rules)));
  }
}
