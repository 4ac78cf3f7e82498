package io.ganglion.reflex;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Status;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/**
 * Reflex: the event-loop fast path that inspects every request and answer. See verticles.md for its addresses.
 */
public final class ReflexVerticle extends VerticleBase {

  @Override
  public Future<?> start() {
    return Status.register(vertx, Addresses.REFLEX_STATUS, "reflex", JsonObject::new);
  }
}
