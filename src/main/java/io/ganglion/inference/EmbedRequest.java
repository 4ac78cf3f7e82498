package io.ganglion.inference;

import io.ganglion.inference.onnx.TextKind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Objects;

/**
 * A {@code ganglion.inference.embed} request: its JSON body on the public address, and the record itself on the
 * node-local twin {@code ganglion.inference.embed.local} (passed by reference, never encoded).
 *
 * @param texts the texts to embed, in order (validated by the verticle: non-empty strings, within its limits)
 * @param kind  {@code QUERY} adds the model's query instruction (bge's), {@code PASSAGE} embeds the text as is
 * @param model the model ({@code name} or {@code name@version}), or {@code null} for {@code inference.defaultModel}
 * @param lane  {@link Lane#INTERACTIVE} (someone waits; a full lane fails fast) or {@link Lane#BULK} (the server's
 *              own background work; waits for room)
 */
public record EmbedRequest(List<String> texts, TextKind kind, String model, Lane lane) {

  public EmbedRequest {
    texts = List.copyOf(texts);
    Objects.requireNonNull(lane, "lane");
  }

  /** An interactive request of {@code model}. */
  public EmbedRequest(List<String> texts, TextKind kind, String model) {
    this(texts, kind, model, Lane.INTERACTIVE);
  }

  /** Interactive {@code texts} of {@code kind} for the default model. */
  public static EmbedRequest of(List<String> texts, TextKind kind) {
    return new EmbedRequest(texts, kind, null, Lane.INTERACTIVE);
  }

  /** Bulk {@code texts} of {@code kind} for {@code model} (null: the default), as ingestion sends them. */
  public static EmbedRequest bulk(List<String> texts, TextKind kind, String model) {
    return new EmbedRequest(texts, kind, model, Lane.BULK);
  }

  /** The JSON body: {@code {"texts":[...],"kind":"query"|"passage","model"?,"lane":"interactive"|"bulk"}}. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("texts", new JsonArray(List.copyOf(texts)))
      .put("kind", kind == TextKind.QUERY ? "query" : "passage").put("lane", lane.wire());
    if (model != null) {
      json.put("model", model);
    }
    return json;
  }
}
