package io.ganglion.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.handler.CorsHandler;

import java.util.List;
import java.util.Set;

/**
 * CORS for the origins in {@code limits.corsOrigins}: what browsers send to this API, including the headers of the
 * official OpenAI browser SDK ({@code dangerouslyAllowBrowser}) — its {@code X-Stainless-*} telemetry headers and
 * {@code OpenAI-Organization}/{@code OpenAI-Project} — so a preflight from it succeeds; and the response headers a
 * client reads (request id, retry and rate-limit headers, the cache and rule markers).
 */
public final class Cors {

  static final Set<String> ALLOWED_HEADERS = Set.of("Authorization", "Content-Type", "Accept", "Cache-Control",
    RequestIdHandler.HEADER, "Last-Event-ID", "OpenAI-Organization", "OpenAI-Project", "X-Stainless-Arch",
    "X-Stainless-Lang", "X-Stainless-OS", "X-Stainless-Package-Version", "X-Stainless-Retry-Count",
    "X-Stainless-Runtime", "X-Stainless-Runtime-Version", "X-Stainless-Timeout", "traceparent", "tracestate");

  static final Set<String> EXPOSED_HEADERS = Set.of(RequestIdHandler.HEADER, "Retry-After", "RateLimit-Limit",
    "RateLimit-Remaining", "RateLimit-Reset", "X-Ganglion-Cache", "X-Ganglion-Rule", "X-Ganglion-Tokens-Remaining",
    "traceparent");

  private Cors() {
  }

  public static CorsHandler handler(List<String> origins) {
    return CorsHandler.create().addOrigins(origins)
      .allowedHeaders(ALLOWED_HEADERS)
      .exposedHeaders(EXPOSED_HEADERS)
      .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE, HttpMethod.PUT));
  }
}
