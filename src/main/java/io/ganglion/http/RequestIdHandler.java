package io.ganglion.http;

import io.ganglion.bus.RequestIds;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * First handler of every route: adopts the client's {@code X-Request-Id} when it is well formed (else makes one),
 * binds it to the request's context for logs and event-bus hops, echoes it in the response, and sets the security
 * headers every response carries. With tracing on, it puts the id on the request's span and answers the span's
 * {@code traceparent}.
 */
public final class RequestIdHandler implements Handler<RoutingContext> {

  public static final String HEADER = "X-Request-Id";
  public static final String TRACEPARENT = "traceparent";
  /** The span attribute holding the request id. */
  public static final String REQUEST_ID_ATTRIBUTE = "ganglion.request_id";

  // header names and fixed values as pre-hashed ASCII strings: set on every response
  private static final CharSequence ID = HttpHeaders.createOptimized(HEADER);
  private static final CharSequence CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence FRAME_OPTIONS = HttpHeaders.createOptimized("X-Frame-Options");
  private static final CharSequence DENY = HttpHeaders.createOptimized("DENY");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");

  @Override
  public void handle(RoutingContext ctx) {
    String id = ctx.request().getHeader(HEADER);
    if (!RequestIds.valid(id)) {
      id = RequestIds.generate();
    }
    RequestIds.bind(id);
    HttpServerResponse response = ctx.response();
    response.putHeader(ID, id)
      .putHeader(CONTENT_TYPE_OPTIONS, NOSNIFF)
      .putHeader(FRAME_OPTIONS, DENY);
    if (ctx.request().path().startsWith("/v1/")) {
      response.putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
    }
    // with tracing on, the request's span carries the request id, and the response names the trace
    Span span = Span.current();
    SpanContext trace = span.getSpanContext();
    if (trace.isValid()) {
      span.setAttribute(REQUEST_ID_ATTRIBUTE, id);
      response.putHeader(TRACEPARENT, "00-" + trace.getTraceId() + "-" + trace.getSpanId() + "-"
        + trace.getTraceFlags().asHex());
    }
    ctx.next();
  }
}
