package io.ganglion.inference;

import io.ganglion.bus.Vectors;
import io.ganglion.inference.onnx.Embedding;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The reply of {@code ganglion.inference.embed}: one L2-normalised vector per text, in order (cosine = dot product),
 * with the tokens the model saw and whether the text was cut at the model's max length. As JSON on the public address,
 * as this record on {@code ganglion.inference.embed.local}.
 * <p>
 * <b>NOTE</b>: on the local address the vectors are the inference verticle's own arrays, passed by reference: the
 * sender never touches them again, and receivers must not modify them either (copy before changing one).
 */
public record EmbedReply(String model, int dims, List<float[]> vectors, List<Integer> tokens, List<Boolean> truncated) {

  public EmbedReply {
    vectors = List.copyOf(vectors);
    tokens = List.copyOf(tokens);
    truncated = List.copyOf(truncated);
  }

  /** The reply for {@code embeddings} of {@code model}. */
  public static EmbedReply of(String model, List<Embedding> embeddings) {
    List<float[]> vectors = new ArrayList<>(embeddings.size());
    List<Integer> tokens = new ArrayList<>(embeddings.size());
    List<Boolean> truncated = new ArrayList<>(embeddings.size());
    for (Embedding e : embeddings) {
      vectors.add(e.vector());
      tokens.add(e.tokens());
      truncated.add(e.truncated());
    }
    return new EmbedReply(model, embeddings.isEmpty() ? 0 : embeddings.get(0).vector().length, vectors, tokens, truncated);
  }

  /** {@code {"model","dims","vectors":[[float...]],"tokens":[n...],"truncated":[bool...]}}. */
  public JsonObject toJson() {
    JsonArray json = new JsonArray(new ArrayList<>(vectors.size()));
    vectors.forEach(v -> json.add(Vectors.toJson(v)));
    return new JsonObject().put("model", model).put("dims", dims).put("vectors", json)
      .put("tokens", new JsonArray(new ArrayList<>(tokens))).put("truncated", new JsonArray(new ArrayList<>(truncated)));
  }

  /** Reads the JSON reply; {@code tokens} and {@code truncated} may be absent (test doubles), then empty. */
  public static EmbedReply fromJson(JsonObject json) {
    JsonArray vectors = json.getJsonArray("vectors", new JsonArray());
    List<Integer> tokens = new ArrayList<>();
    json.getJsonArray("tokens", new JsonArray()).forEach(t -> tokens.add(((Number) t).intValue()));
    List<Boolean> truncated = new ArrayList<>();
    json.getJsonArray("truncated", new JsonArray()).forEach(t -> truncated.add((Boolean) t));
    return new EmbedReply(json.getString("model"), json.getInteger("dims", 0), Vectors.allFromJson(vectors), tokens,
      truncated);
  }
}
