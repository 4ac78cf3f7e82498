package io.ganglion.bus;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;

/**
 * The OpenTelemetry of the server a verticle runs in, for the spans Vert.x does not make itself (an inference batch).
 * Vert.x makes the HTTP, event-bus, SQL and Redis spans from the same instance; each server has its own (never the
 * global one), so servers sharing a JVM keep their spans apart.
 */
public final class Tracers {

  /** Local-map entry the launcher fills with this server's OpenTelemetry when {@code tracing.enabled}. */
  public static final String MAP = "ganglion.tracing";

  private record Shared(OpenTelemetry openTelemetry) implements Shareable {
  }

  private Tracers() {
  }

  /** Makes {@code openTelemetry} this server's, for {@link #of}. */
  public static void publish(Vertx vertx, OpenTelemetry openTelemetry) {
    vertx.sharedData().getLocalMap(MAP).put("sdk", new Shared(openTelemetry));
  }

  /** This server's tracer named {@code scope}; a no-op one when tracing is off. */
  public static Tracer of(Vertx vertx, String scope) {
    Object shared = vertx.sharedData().getLocalMap(MAP).get("sdk");
    OpenTelemetry openTelemetry = shared instanceof Shared s ? s.openTelemetry() : OpenTelemetry.noop();
    return openTelemetry.getTracer(scope);
  }
}
