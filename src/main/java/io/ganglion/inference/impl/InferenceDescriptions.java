package io.ganglion.inference.impl;

import io.ganglion.inference.onnx.ModelRegistry;
import io.ganglion.inference.onnx.ModelSpec;
import io.vertx.core.json.JsonObject;

import java.util.Locale;

/** How {@code ganglion.inference.models} and the model admin describe a loaded model. */
public final class InferenceDescriptions {

  private InferenceDescriptions() {
  }

  /**
   * {@code {"name","version","ref","kind","dims","pooling","maxLength","weight","default","current"}}: {@code current}
   * is the version a bare name means for an embedding model (its first loaded), {@code weight} a scorer's A/B share.
   */
  public static JsonObject of(ModelSpec spec, ModelRegistry registry) {
    boolean current = registry.versions(spec.name()).get(0).spec().ref().equals(spec.ref());
    return new JsonObject().put("name", spec.name()).put("version", spec.version()).put("ref", spec.ref())
      .put("kind", spec.kind().name().toLowerCase(Locale.ROOT)).put("dims", spec.dims())
      .put("pooling", spec.pooling().name().toLowerCase(Locale.ROOT)).put("maxLength", spec.maxLength())
      .put("weight", spec.weight()).put("default", spec.ref().equals(registry.defaultEmbedding()))
      .put("current", current);
  }
}
