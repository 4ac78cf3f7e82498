package io.ganglion.reflex.impl;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The reflex policy version changes with what decides an inspection, and with nothing else")
class PolicyVersionTest {

  private static String of(String reflex, String detectors) {
    return PolicyVersion.of(new JsonObject(reflex), detectors);
  }

  @Test
  @DisplayName("the same settings in another key order give the same version, of the form p- and 16 hex digits")
  void canonical() {
    String a = of("{\"pii\":{\"hashSalt\":\"s\",\"actions\":{\"email\":\"mask\"}},\"injection\":{\"action\":\"block\"}}", "d1");
    String b = of("{\"injection\":{\"action\":\"block\"},\"pii\":{\"actions\":{\"email\":\"mask\"},\"hashSalt\":\"s\"}}", "d1");
    assertThat(a).isEqualTo(b).matches("p-[0-9a-f]{16}");
    assertThat(PolicyVersion.of(null, "d1")).isEqualTo(of("{}", "d1"));
  }

  @Test
  @DisplayName("a PII action, an injection threshold, shadow mode, the indirect action or a detector version change it")
  void policyChanges() {
    String base = of("{}", "pii-2/inj-1");
    assertThat(of("{\"pii\":{\"actions\":{\"email\":\"allow\"}}}", "pii-2/inj-1")).isNotEqualTo(base);
    assertThat(of("{\"injection\":{\"threshold\":0.7}}", "pii-2/inj-1")).isNotEqualTo(base);
    assertThat(of("{\"injection\":{\"shadow\":true}}", "pii-2/inj-1")).isNotEqualTo(base);
    assertThat(of("{\"injection\":{\"indirect\":{\"action\":\"wrap\"}}}", "pii-2/inj-1")).isNotEqualTo(base);
    assertThat(of("{}", "pii-2/inj-2")).isNotEqualTo(base);
  }

  @Test
  @DisplayName("the response cache, the rules and the verdict cache do not change it")
  void notPolicy() {
    String base = of("{\"injection\":{\"action\":\"block\"}}", "d");
    assertThat(of("{\"injection\":{\"action\":\"block\"},\"cache\":{\"ttlSeconds\":5},\"rules\":[{\"name\":\"x\"}],"
      + "\"rulesFile\":\"r.yaml\",\"rulesCheckMs\":100,\"verdicts\":{\"maxEntries\":0}}", "d")).isEqualTo(base);
  }
}
