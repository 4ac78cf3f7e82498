package io.ganglion.reflex;

import io.ganglion.reflex.injection.InjectionVerdict;
import io.ganglion.reflex.pii.Finding;
import io.ganglion.reflex.pii.PiiAction;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The result of {@link Inspector#inspect}: the reply of {@code POST /v1/guard} and of the bus address
 * {@code ganglion.reflex.inspect}.
 *
 * @param action the overall outcome
 * @param direction the direction the text was inspected for
 * @param text the text after redaction (the original instance when nothing was redacted)
 * @param findings PII findings with offsets into the <em>original</em> text, in text order
 * @param findingActions the action applied to each finding, index by index
 * @param injection the injection verdict ({@link InjectionVerdict#NOT_CHECKED} when not run for this direction)
 * @param injectionChecked whether injection detection ran
 * @param injectionThreshold the threshold the injection label was decided with
 * @param reasons why the action is {@code block} or {@code flag}, such as {@code pii:credit_card} or {@code injection}
 * @param injectionEnforced whether the injection verdict could change the action (false in shadow mode)
 * @param injectionOverridden whether a tenant's or knowledge base's override applied
 */
public record Inspection(
  InspectionAction action,
  Direction direction,
  String text,
  List<Finding> findings,
  List<PiiAction> findingActions,
  InjectionVerdict injection,
  boolean injectionChecked,
  double injectionThreshold,
  List<String> reasons,
  boolean injectionEnforced,
  boolean injectionOverridden) {

  /**
   * <pre>{@code
   * {"action":"allow|redact|flag|block", "direction":"input|output|stored", "text":"...",
   *  "findings":[{"type","start","end","score","action"}],
   *  "injection":{"label":"injection|benign","score","modelScore","rules":[...],"families":[...],"stage",
   *               "stages":{"ngram","exemplars"?},"nearest"?,"version","checked":true,"enforced":true,"overridden"?},
   *  "reasons":["pii:credit_card","injection"]}
   * }</pre>
   */
  public JsonObject toJson() {
    JsonArray found = new JsonArray();
    for (int i = 0; i < findings.size(); i++) {
      found.add(findings.get(i).toJson().put("action", findingActions.get(i).wireName()));
    }
    return new JsonObject()
      .put("action", action.wireName())
      .put("direction", direction.wireName())
      .put("text", text)
      .put("findings", found)
      .put("injection", injectionJson())
      .put("reasons", new JsonArray(List.copyOf(reasons)));
  }

  private JsonObject injectionJson() {
    JsonObject json = injection.toJson(injectionThreshold).put("checked", injectionChecked);
    if (injectionChecked) {
      json.put("enforced", injectionEnforced);
    }
    if (injectionOverridden) {
      json.put("overridden", true);
    }
    return json;
  }
}
