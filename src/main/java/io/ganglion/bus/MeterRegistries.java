package io.ganglion.bus;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.micrometer.backends.BackendRegistries;

/** The Micrometer registry of the server a verticle runs in, so its own meters appear on {@code /metrics}. */
public final class MeterRegistries {

  /** Local-map entry the launcher fills with this server's registry name. */
  public static final String MAP = "ganglion.metrics";

  private MeterRegistries() {
  }

  /** This server's registry; a private in-memory one when metrics are off (unit tests deploying a verticle alone). */
  public static MeterRegistry of(Vertx vertx) {
    Object name = vertx.sharedData().getLocalMap(MAP).get("registry");
    MeterRegistry registry = name == null ? null : BackendRegistries.getNow(name.toString());
    return registry != null ? registry : new SimpleMeterRegistry();
  }
}
