package io.ganglion.reflex.pii;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ApiKeyDetectorTest {

  private final ApiKeyDetector detector = new ApiKeyDetector();

  static final String OPENAI = "sk-proj-Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW";
  static final String ANTHROPIC = "sk-ant-api03-Zx8qP2vLm9RtY4wK7bN3cD6fGh";
  static final String GITHUB = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A";
  static final String AWS = "AKIAIOSFODNN7EXAMPLE";
  static final String GOOGLE = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q";
  static final String GITLAB = "glpat-" + "xY7zW3vU1tS9rQ5pO2nM";
  static final String SLACK = "xoxb-1234567890-abcdefghij";
  static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

  @Test
  @DisplayName("keys with provider prefixes are found whole")
  void findsProviderKeys() {
    String text = String.join(" | ", OPENAI, ANTHROPIC, GITHUB, AWS, GOOGLE, GITLAB, SLACK);
    assertThat(Detect.matches(detector, text)).containsExactly(OPENAI, ANTHROPIC, GITHUB, AWS, GOOGLE, GITLAB, SLACK);
    assertThat(Detect.findings(detector, text)).allMatch(f -> f.type().equals(PiiTypes.API_KEY));
  }

  @Test
  @DisplayName("a JSON Web Token is found as a jwt")
  void findsJwt() {
    String text = "Authorization: Bearer " + JWT;
    assertThat(Detect.findings(detector, text)).containsExactly(new Finding(PiiTypes.JWT, 22, text.length(), 0.99));
  }

  @Test
  @DisplayName("prefixes inside words and too-short tails are not keys")
  void rejectsLookalikes() {
    assertThat(Detect.matches(detector, "sk-learn, task-force, ghp_short, AKIA1234, mask-ant-whatever-long-enough-string"))
      .isEmpty();
  }
}
