package io.ganglion.reflex.pii;

import io.ganglion.reflex.Direction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RedactorTest {

  private static final byte[] SALT = "pepper".getBytes(StandardCharsets.UTF_8);
  private final PiiScanner scanner = PiiScanner.withBuiltIns(24, 4.0, List.of());
  private final PiiPolicy policy = new PiiPolicy(Map.of(
    PiiTypes.EMAIL, Map.of(Direction.INPUT, PiiAction.MASK, Direction.STORED, PiiAction.HASH),
    PiiTypes.IPV4, Map.of(Direction.INPUT, PiiAction.ALLOW)), PiiAction.MASK);

  private String redact(Redactor redactor, String text) {
    return redactor.redact(text, scanner.scan(text));
  }

  @Test
  @DisplayName("the same value gets the same placeholder within a request, a new value the next number")
  void stablePlaceholders() {
    Redactor redactor = new Redactor(policy, Direction.INPUT, SALT);
    assertThat(redact(redactor, "a@x.com wrote to b@y.org, then a@x.com again"))
      .isEqualTo("[EMAIL_1] wrote to [EMAIL_2], then [EMAIL_1] again");
    assertThat(redact(redactor, "cc b@y.org and c@z.net"))
      .isEqualTo("cc [EMAIL_2] and [EMAIL_3]");
  }

  @Test
  @DisplayName("a new request starts numbering again")
  void numberingIsPerRequest() {
    assertThat(redact(new Redactor(policy, Direction.INPUT, SALT), "b@y.org")).isEqualTo("[EMAIL_1]");
    assertThat(redact(new Redactor(policy, Direction.INPUT, SALT), "b@y.org")).isEqualTo("[EMAIL_1]");
  }

  @Test
  @DisplayName("allowed types are left alone and unlisted types take the fallback")
  void allowAndFallback() {
    assertThat(redact(new Redactor(policy, Direction.INPUT, SALT), "host 10.0.0.7, ssn 123-45-6789"))
      .isEqualTo("host 10.0.0.7, ssn [SSN_1]");
  }

  @Test
  @DisplayName("hashing gives a salted, stable, 12-hex-digit digest that differs by salt")
  void hashing() {
    String once = redact(new Redactor(policy, Direction.STORED, SALT), "from a@x.com");
    String again = redact(new Redactor(policy, Direction.STORED, SALT), "from a@x.com");
    String otherSalt = redact(new Redactor(policy, Direction.STORED, new byte[] {1}), "from a@x.com");
    assertThat(once).matches("from \\[EMAIL:[0-9a-f]{12}]").isEqualTo(again).isNotEqualTo(otherSalt);
  }

  @Test
  @DisplayName("text without findings is returned as the same instance")
  void nothingToDo() {
    String text = "nothing to see";
    assertThat(redact(new Redactor(policy, Direction.INPUT, SALT), text)).isSameAs(text);
  }
}
