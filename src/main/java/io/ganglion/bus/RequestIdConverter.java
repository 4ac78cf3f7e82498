package io.ganglion.bus;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** Logback {@code %rid}: the request id of the work that logged the line, or {@code -} outside of a request. */
public final class RequestIdConverter extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    String id = RequestIds.current();
    return id == null ? "-" : id;
  }
}
