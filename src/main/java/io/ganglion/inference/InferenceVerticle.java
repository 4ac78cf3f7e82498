package io.ganglion.inference;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Status;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/**
 * Inference: ONNX models behind a bounded micro-batching queue per model. See verticles.md for its addresses.
 */
public final class InferenceVerticle extends VerticleBase {

  @Override
  public Future<?> start() {
    return Status.register(vertx, Addresses.INFERENCE_STATUS, "inference", JsonObject::new);
  }
}
