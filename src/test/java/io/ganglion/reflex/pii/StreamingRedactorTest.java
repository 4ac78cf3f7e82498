package io.ganglion.reflex.pii;

import io.ganglion.reflex.Direction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class StreamingRedactorTest {

  private static final byte[] SALT = {42};
  private static final String TEXT = "Sure! Contact anna.schmidt@example.de or +49 30 1234 5678. Pay to "
    + "DE89 3704 0044 0532 0130 00 with card 4111 1111 1111 1111; your token is " + ApiKeyDetectorTest.JWT
    + " and the key " + ApiKeyDetectorTest.OPENAI + ". Again: anna.schmidt@example.de. Server 192.168.0.12 is up.";

  private final PiiScanner scanner = PiiScanner.withBuiltIns(24, 4.0, List.of());
  private final PiiPolicy policy = new PiiPolicy(Map.of(), PiiAction.MASK);

  private String oneShot() {
    return new Redactor(policy, Direction.OUTPUT, SALT).redact(TEXT, scanner.scan(TEXT));
  }

  private String streamed(List<String> chunks) {
    StreamingRedactor stream = new StreamingRedactor(scanner, new Redactor(policy, Direction.OUTPUT, SALT));
    StringBuilder out = new StringBuilder();
    for (String chunk : chunks) {
      String emitted = stream.push(chunk);
      assertThat(emitted).doesNotContain("anna.schmidt", "4111", "eyJ", "sk-proj");
      out.append(emitted);
    }
    return out.append(stream.finish()).toString();
  }

  private static List<String> chunks(String text, Random random, int maxChunk) {
    List<String> chunks = new java.util.ArrayList<>();
    for (int i = 0; i < text.length(); ) {
      int n = Math.min(text.length() - i, 1 + random.nextInt(maxChunk));
      chunks.add(text.substring(i, i + n));
      i += n;
    }
    return chunks;
  }

  @Test
  @DisplayName("PII split across token-sized chunks is redacted exactly as in one pass, for many seeded chunkings")
  void streamedEqualsOneShot() {
    String expected = oneShot();
    assertThat(expected).contains("[EMAIL_1]", "[PHONE_1]", "[IBAN_1]", "[CREDIT_CARD_1]", "[JWT_1]", "[API_KEY_1]",
      "[IPV4_1]");
    Random random = new Random(7);
    for (int round = 0; round < 50; round++) {
      assertThat(streamed(chunks(TEXT, random, 1 + round % 12))).isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("one character at a time works too, and findings carry offsets into the whole stream")
  void characterByCharacter() {
    StreamingRedactor stream = new StreamingRedactor(scanner, new Redactor(policy, Direction.OUTPUT, SALT));
    StringBuilder out = new StringBuilder();
    for (char c : TEXT.toCharArray()) {
      out.append(stream.push(String.valueOf(c)));
    }
    out.append(stream.finish());
    assertThat(out.toString()).isEqualTo(oneShot());
    assertThat(stream.findings()).isEqualTo(scanner.scan(TEXT));
  }

  @Test
  @DisplayName("the held-back tail stays bounded on long text without PII")
  void boundedTail() {
    StreamingRedactor stream = new StreamingRedactor(scanner, new Redactor(policy, Direction.OUTPUT, SALT));
    int emitted = 0;
    for (int i = 0; i < 500; i++) {
      emitted += stream.push("lorem ipsum ").length();
    }
    assertThat(500 * 12 - emitted).isLessThanOrEqualTo(StreamingRedactor.DEFAULT_HOLDBACK + 12);
    assertThat(emitted + stream.finish().length()).isEqualTo(500 * 12);
  }
}
