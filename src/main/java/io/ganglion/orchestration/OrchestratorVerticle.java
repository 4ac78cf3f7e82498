package io.ganglion.orchestration;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Status;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/**
 * Orchestration: the answer pipeline (retrieve, generate, judge, trace). See verticles.md for its addresses.
 */
public final class OrchestratorVerticle extends VerticleBase {

  @Override
  public Future<?> start() {
    return Status.register(vertx, Addresses.ORCHESTRATOR_STATUS, "orchestrator", JsonObject::new);
  }
}
