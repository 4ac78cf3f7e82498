package io.ganglion.bus;

import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.List;

/** Vectors as they travel in JSON bus bodies ({@code ganglion.inference.embed} replies): arrays of numbers. */
public final class Vectors {

  private Vectors() {
  }

  public static JsonArray toJson(float[] vector) {
    List<Object> values = new ArrayList<>(vector.length);
    for (float v : vector) {
      values.add(v);
    }
    return new JsonArray(values);
  }

  public static float[] fromJson(JsonArray values) {
    float[] vector = new float[values.size()];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = ((Number) values.getValue(i)).floatValue();
    }
    return vector;
  }

  /** Every vector of a {@code "vectors"} array. */
  public static List<float[]> allFromJson(JsonArray vectors) {
    List<float[]> out = new ArrayList<>(vectors.size());
    for (int i = 0; i < vectors.size(); i++) {
      out.add(fromJson(vectors.getJsonArray(i)));
    }
    return out;
  }
}
