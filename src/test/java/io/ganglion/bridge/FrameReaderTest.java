package io.ganglion.bridge;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Cutting the bridge's byte stream into frames")
class FrameReaderTest {

  private final List<String> frames = new ArrayList<>();
  private final List<Long> refused = new ArrayList<>();
  private final FrameReader reader = new FrameReader(64, new FrameReader.Sink() {
    @Override
    public void frame(Buffer payload) {
      frames.add(payload.toString(StandardCharsets.UTF_8));
    }

    @Override
    public void tooLarge(long announced) {
      refused.add(announced);
    }
  });

  private static Buffer frame(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer().appendInt(bytes.length).appendBytes(bytes);
  }

  @Test
  @DisplayName("frames arriving in any pieces come out whole and in order")
  void pieces() {
    Buffer stream = Buffer.buffer();
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String json = "{\"n\":" + i + ",\"é\":\"" + "x".repeat(i) + "\"}";
      sent.add(json);
      stream.appendBuffer(frame(json));
    }
    Random random = new Random(7);
    int at = 0;
    while (at < stream.length()) {
      int next = Math.min(stream.length(), at + 1 + random.nextInt(9));
      reader.feed(stream.getBuffer(at, next));
      at = next;
    }
    assertThat(frames).containsExactlyElementsOf(sent);
    assertThat(refused).isEmpty();
  }

  @Test
  @DisplayName("a frame announcing more than the limit is refused from its 4-byte prefix, before its body arrives")
  void tooLarge() {
    reader.feed(frame("{\"ok\":1}"));
    reader.feed(Buffer.buffer().appendInt(65));
    assertThat(refused).containsExactly(65L);
    reader.feed(frame("{\"after\":1}"));
    assertThat(frames).containsExactly("{\"ok\":1}");
  }

  @Test
  @DisplayName("a negative length (an unsigned 4 GB frame) is refused too")
  void negative() {
    reader.feed(Buffer.buffer().appendInt(-1));
    assertThat(refused).containsExactly(0xFFFFFFFFL);
    assertThat(frames).isEmpty();
  }
}
