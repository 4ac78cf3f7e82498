package io.ganglion.generation.impl;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SseParserTest {

  private final List<SseEvent> events = new ArrayList<>();
  private final SseParser parser = new SseParser(events::add);

  @Test
  @DisplayName("Events split at any byte across chunks are reassembled, with CRLF and LF line ends")
  void reassemblesSplitEvents() {
    String body = "event: ping\r\ndata: {}\r\n\r\ndata: {\"a\":1}\n\n";
    for (int i = 0; i < body.length(); i++) {
      parser.feed(Buffer.buffer(body.substring(i, i + 1)));
    }

    assertThat(events).containsExactly(new SseEvent("ping", "{}"), new SseEvent("message", "{\"a\":1}"));
  }

  @Test
  @DisplayName("Multi-line data joins with newlines; comments and unknown fields are skipped")
  void multiLineData() {
    parser.feed(Buffer.buffer(": keep-alive\n\nid: 7\nretry: 10\ndata: one\ndata:two\n\n"));

    assertThat(events).containsExactly(new SseEvent("message", "one\ntwo"));
  }

  @Test
  @DisplayName("An event without its terminating blank line is not dispatched")
  void dropsUnterminated() {
    parser.feed(Buffer.buffer("data: [DONE]\n"));

    assertThat(events).isEmpty();
  }
}
