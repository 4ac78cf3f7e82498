package io.ganglion.reflex.pii;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EntropyTokenDetectorTest {

  private final EntropyTokenDetector detector = new EntropyTokenDetector(24, 4.0);

  @Test
  @DisplayName("a random-looking token of letters and digits is a secret")
  void findsRandomTokens() {
    assertThat(Detect.matches(detector, "password=Zx8qP2vLm9RtY4wK7bN3cD6fGh1J and go"))
      .containsExactly("Zx8qP2vLm9RtY4wK7bN3cD6fGh1J");
  }

  @Test
  @DisplayName("words, identifiers, paths, hex digests and UUIDs are not secrets")
  void rejectsLowEntropyTokens() {
    assertThat(Detect.matches(detector, "internationalization AbstractSingletonProxyFactoryBean "
      + "/api/v1/users/12345/orders/67890 da39a3ee5e6b4b0d3255bfef95601890afd80709 "
      + "550e8400-e29b-41d4-a716-446655440000 aaaaaaaaaaaaaaaaaaaaaaaaaaaa1")).isEmpty();
  }

  @Test
  @DisplayName("Shannon entropy is zero for one repeated character and log2(n) for n distinct ones")
  void entropy() {
    assertThat(EntropyTokenDetector.shannonBitsPerChar("aaaa", 0, 4)).isZero();
    assertThat(EntropyTokenDetector.shannonBitsPerChar("abcdefgh", 0, 8)).isEqualTo(3.0, org.assertj.core.data.Offset.offset(1e-9));
  }
}
