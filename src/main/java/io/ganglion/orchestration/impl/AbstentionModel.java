package io.ganglion.orchestration.impl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The extractive generator's decision to answer: a logistic model over {@link AnswerSignals}, fitted offline on a
 * paraphrase set (answerable questions worded unlike their passages, and off-topic ones) for one embedding model,
 * since cosine scales differ from model to model. {@link #confidence} is the fitted probability that the question is
 * answerable from the passages; the generator answers at {@code orchestration.extractive.minConfidence} or above.
 * <p>
 * Each signal is standardised by the fit set's mean and spread before its weight applies; a signal that is missing
 * (NaN: no vector scores in keyword mode, no keyword scores in vector mode) contributes nothing, as if it had its
 * mean value. The bundled model ({@link #bundled()}) is fitted for bge-small-en-v1.5, the default embedding model;
 * {@code orchestration.extractive.calibrationFile} names another one written in the same format:
 * <pre>{"embeddingModel","fittedOn","features":[...],"mean":[...],"scale":[...],"weights":[...],"bias"}</pre>
 * Immutable and thread-safe.
 *
 * @param embeddingModel the embedding model whose cosines it was fitted on
 * @param fittedOn       the paraphrase set it was fitted on
 * @param mean           per signal, its mean on the fit set
 * @param scale          per signal, its standard deviation on the fit set
 * @param weights        per standardised signal, its weight in the log-odds
 * @param bias           the log-odds of a question whose signals all sit at their means
 */
public record AbstentionModel(String embeddingModel, String fittedOn, double[] mean, double[] scale, double[] weights,
                       double bias) {

  static final String RESOURCE = "/orchestration/abstention-bge-small-en-v1.5.json";

  public AbstentionModel {
    int n = AnswerSignals.NAMES.size();
    if (mean.length != n || scale.length != n || weights.length != n) {
      throw new IllegalArgumentException("an abstention model needs " + n + " means, scales and weights");
    }
    for (double s : scale) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("abstention model scales must be positive");
      }
    }
  }

  /** The model fitted for bge-small-en-v1.5 that ships in the jar. */
  static AbstentionModel bundled() {
    try (InputStream in = AbstentionModel.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      return fromJson(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A model file; fails with {@link IllegalArgumentException} naming what is wrong with it. */
  public static AbstentionModel read(Path file) {
    try {
      return fromJson(new JsonObject(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not an abstention model: " + file + ": " + e.getMessage(), e);
    }
  }

  static AbstentionModel fromJson(JsonObject json) {
    List<Object> features = json.getJsonArray("features", new JsonArray()).getList();
    if (!features.equals(AnswerSignals.NAMES)) {
      throw new IllegalArgumentException("features must be " + AnswerSignals.NAMES + ", got " + features);
    }
    return new AbstentionModel(json.getString("embeddingModel", ""), json.getString("fittedOn", ""),
      doubles(json, "mean"), doubles(json, "scale"), doubles(json, "weights"), json.getDouble("bias"));
  }

  JsonObject toJson() {
    return new JsonObject().put("embeddingModel", embeddingModel).put("fittedOn", fittedOn)
      .put("features", new JsonArray(AnswerSignals.NAMES)).put("mean", array(mean)).put("scale", array(scale))
      .put("weights", array(weights)).put("bias", bias);
  }

  /** The log-odds that the question is answerable from the passages. */
  double logit(AnswerSignals signals) {
    double[] x = signals.values();
    double z = bias;
    for (int i = 0; i < x.length; i++) {
      if (!Double.isNaN(x[i])) {
        z += weights[i] * (x[i] - mean[i]) / scale[i];
      }
    }
    return z;
  }

  /** The probability that the question is answerable from the passages, in (0, 1). */
  double confidence(AnswerSignals signals) {
    return 1 / (1 + Math.exp(-logit(signals)));
  }

  private static double[] doubles(JsonObject json, String field) {
    JsonArray a = json.getJsonArray(field);
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) a.getValue(i)).doubleValue();
    }
    return out;
  }

  private static JsonArray array(double[] values) {
    JsonArray a = new JsonArray();
    for (double v : values) {
      a.add(v);
    }
    return a;
  }
}
