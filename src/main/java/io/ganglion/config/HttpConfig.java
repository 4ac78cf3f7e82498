package io.ganglion.config;

import io.vertx.core.json.JsonObject;

/** The {@code http} section: where and how the HTTP verticle serves. */
public record HttpConfig(String host, int port, int instances, long bodyLimitBytes, long requestTimeoutMs,
                         long shutdownGraceMs) {

  public static HttpConfig from(JsonObject http) {
    ConfigReader r = new ConfigReader(http, "http");
    int instances = r.integer("instances", 0, 0, 256);
    return new HttpConfig(
      r.string("host", "0.0.0.0"),
      r.integer("port", 8080, 0, 65535),
      instances == 0 ? Runtime.getRuntime().availableProcessors() : instances,
      r.longValue("bodyLimitBytes", 10L << 20, 1024, 1L << 31),
      r.longValue("requestTimeoutMs", 30_000, 100, 3_600_000),
      r.longValue("shutdownGraceMs", 10_000, 0, 600_000));
  }
}
