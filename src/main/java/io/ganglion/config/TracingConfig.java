package io.ganglion.config;

import io.vertx.core.json.JsonObject;

/**
 * The {@code tracing} section: OpenTelemetry traces over OTLP/HTTP (protobuf), off by default.
 *
 * @param endpoint    the collector's traces URL, e.g. {@code http://otel-collector:4318/v1/traces}
 * @param sampleRatio share of new traces recorded (a sampled parent's {@code traceparent} is always followed)
 */
public record TracingConfig(boolean enabled, String endpoint, String serviceName, double sampleRatio,
                            long exportTimeoutMs) {

  public static TracingConfig from(JsonObject tracing) {
    ConfigReader r = new ConfigReader(tracing, "tracing");
    String endpoint = r.string("endpoint", "http://127.0.0.1:4318/v1/traces");
    if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
      throw new ConfigException("tracing.endpoint", "must be an http:// or https:// URL, got " + endpoint);
    }
    return new TracingConfig(r.bool("enabled", false), endpoint, r.string("serviceName", "ganglion"),
      r.decimal("sampleRatio", 1.0, 0.0, 1.0), r.longValue("exportTimeoutMs", 10_000, 100, 600_000));
  }
}
