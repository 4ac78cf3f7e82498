package io.ganglion.app;

import io.ganglion.config.TracingConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * OpenTelemetry for one server ({@code tracing.enabled}): an SDK of its own (never the global one, so servers sharing
 * a JVM keep their spans apart) exporting over OTLP/HTTP in batches, with W3C {@code traceparent} propagation, handed
 * to Vert.x, which then makes spans for HTTP requests, event-bus sends and receipts, SQL and Redis commands.
 */
final class Tracing implements AutoCloseable {

  private final OpenTelemetrySdk sdk;

  private Tracing(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
  }

  static Tracing start(TracingConfig config) {
    if (!config.enabled()) {
      return new Tracing(null);
    }
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
      .setEndpoint(config.endpoint())
      .setTimeout(Duration.ofMillis(config.exportTimeoutMs()))
      .build();
    SdkTracerProvider provider = SdkTracerProvider.builder()
      .setResource(Resource.getDefault().merge(Resource.create(
        Attributes.of(AttributeKey.stringKey("service.name"), config.serviceName()))))
      .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())))
      .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofMillis(500)).build())
      .build();
    return new Tracing(OpenTelemetrySdk.builder().setTracerProvider(provider)
      .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build());
  }

  /** Installs the tracer on a Vert.x about to be built; nothing when tracing is off. */
  void install(VertxOptions options, VertxBuilder builder) {
    if (sdk != null) {
      options.setTracingOptions(new OpenTelemetryOptions());
      builder.withTracer(new OpenTelemetryTracingFactory(sdk));
    }
  }

  /** Hands the SDK to the server's verticles ({@link io.ganglion.bus.Tracers}) for their own spans. */
  void publish(io.vertx.core.Vertx vertx) {
    if (sdk != null) {
      io.ganglion.bus.Tracers.publish(vertx, sdk);
    }
  }

  /** Exports what is pending, then stops. */
  @Override
  public void close() {
    if (sdk != null) {
      sdk.getSdkTracerProvider().shutdown().join(10, TimeUnit.SECONDS);
    }
  }
}
