package io.ganglion.bus;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Logback turbo filter that puts the request id ({@code requestId}) and, with tracing on, the trace and span ids
 * ({@code traceId}, {@code spanId}) into the MDC of every enabled log event, from the Vert.x context the line is logged
 * on; the JSON encoder ({@code GANGLION_LOG_FORMAT=json}) writes them as fields. It never filters anything out.
 */
public final class LogContext extends TurboFilter {

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level != null && level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      put("requestId", RequestIds.current());
      SpanContext span = Span.current().getSpanContext();
      put("traceId", span.isValid() ? span.getTraceId() : null);
      put("spanId", span.isValid() ? span.getSpanId() : null);
    }
    return FilterReply.NEUTRAL;
  }

  private static void put(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
