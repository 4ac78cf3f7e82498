package io.ganglion.generation.impl;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;

import java.nio.charset.StandardCharsets;

/**
 * Turns a {@code text/event-stream} body, fed in arbitrary chunks, into {@link SseEvent}s, following the WHATWG
 * event-stream rules that matter to LLM APIs: {@code \n} or {@code \r\n} line ends, {@code event:} and multi-line
 * {@code data:} fields, one optional space after the colon, {@code :} comment lines (keep-alives), and dispatch on a
 * blank line. An unterminated event at the end of the body is dropped, as the spec says.
 * <p>
 * <b>NOTE</b>: not thread-safe; feed it from the response's context only.
 */
public final class SseParser {

  private final RecordParser lines;
  private final Handler<SseEvent> events;
  private String eventName;
  private StringBuilder data;

  public SseParser(Handler<SseEvent> events) {
    this.events = events;
    // RecordParser keeps a line split across two TCP chunks whole
    this.lines = RecordParser.newDelimited("\n", this::line);
  }

  /** Feeds the next chunk of the body. */
  public void feed(Buffer chunk) {
    lines.handle(chunk);
  }

  private void line(Buffer raw) {
    String line = raw.toString(StandardCharsets.UTF_8);
    if (line.endsWith("\r")) {
      line = line.substring(0, line.length() - 1);
    }
    if (line.isEmpty()) {
      dispatch();
      return;
    }
    if (line.startsWith(":")) {
      return;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "event" -> eventName = value;
      case "data" -> {
        if (data == null) {
          data = new StringBuilder(value);
        } else {
          data.append('\n').append(value);
        }
      }
      default -> {
        // id and retry are irrelevant to a one-shot completion stream
      }
    }
  }

  private void dispatch() {
    if (data != null) {
      events.handle(new SseEvent(eventName == null ? "message" : eventName, data.toString()));
    }
    eventName = null;
    data = null;
  }
}
