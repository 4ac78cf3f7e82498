package io.ganglion.bridge;

import io.vertx.core.buffer.Buffer;

import java.util.function.Consumer;

/**
 * Cuts the bridge's byte stream into frames: a 4-byte big-endian length, then that many bytes of UTF-8 JSON. A frame
 * announcing more than {@code maxFrameBytes} (or a negative length) is refused from its length prefix alone, before
 * any of its body is buffered: the bridge's own {@code FrameParser} would buffer whatever a client announces.
 * <p>
 * <b>NOTE</b>: not thread-safe; one per connection and direction, fed on the connection's event loop.
 */
final class FrameReader {

  /** What the reader reports. */
  interface Sink {
    void frame(Buffer payload);

    void tooLarge(long announced);
  }

  private final int maxFrameBytes;
  private final Sink sink;
  private Buffer pending = Buffer.buffer();
  private boolean failed;

  FrameReader(int maxFrameBytes, Sink sink) {
    this.maxFrameBytes = maxFrameBytes;
    this.sink = sink;
  }

  /** A reader without a limit (for the trusted direction), reporting frames to {@code frames}. */
  static FrameReader unlimited(Consumer<Buffer> frames) {
    return new FrameReader(Integer.MAX_VALUE, new Sink() {
      @Override
      public void frame(Buffer payload) {
        frames.accept(payload);
      }

      @Override
      public void tooLarge(long announced) {
        throw new IllegalStateException("no limit");
      }
    });
  }

  void feed(Buffer data) {
    if (failed) {
      return;
    }
    pending.appendBuffer(data);
    int offset = 0;
    while (pending.length() - offset >= 4) {
      int length = pending.getInt(offset);
      if (length < 0 || length > maxFrameBytes) {
        failed = true;
        sink.tooLarge(length & 0xFFFFFFFFL);
        return;
      }
      if (pending.length() - offset - 4 < length) {
        break;
      }
      sink.frame(pending.getBuffer(offset + 4, offset + 4 + length));
      offset += 4 + length;
    }
    pending = offset == 0 ? pending : pending.getBuffer(offset, pending.length());
  }
}
