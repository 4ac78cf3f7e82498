package io.ganglion.inference;

import io.ganglion.inference.onnx.TextKind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A {@code ganglion.inference.embed} request: its JSON body on the public address, and the record itself on the
 * node-local twin {@code ganglion.inference.embed.local} (passed by reference, never encoded).
 *
 * @param texts the texts to embed, in order (validated by the verticle: non-empty strings, within its limits)
 * @param kind  {@code QUERY} adds the model's query instruction (bge's), {@code PASSAGE} embeds the text as is
 * @param model the model's name, or {@code null} for {@code inference.defaultModel}
 */
public record EmbedRequest(List<String> texts, TextKind kind, String model) {

  public EmbedRequest {
    texts = List.copyOf(texts);
  }

  /** {@code texts} of {@code kind} for the default model. */
  public static EmbedRequest of(List<String> texts, TextKind kind) {
    return new EmbedRequest(texts, kind, null);
  }

  /** The JSON body: {@code {"texts":[...],"kind":"query"|"passage","model"?}}. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("texts", new JsonArray(List.copyOf(texts)))
      .put("kind", kind == TextKind.QUERY ? "query" : "passage");
    if (model != null) {
      json.put("model", model);
    }
    return json;
  }
}
