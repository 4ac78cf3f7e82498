package io.ganglion.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The limits section's rate-limit leases")
class LimitsConfigTest {

  @Test
  @DisplayName("a lease is at most leasePermits and at most 1/1000 of the rpm, never less than 1: keys under 2,000 rpm lease none")
  void leaseSize() {
    LimitsConfig limits = LimitsConfig.from(new JsonObject());
    assertThat(limits.leasePermits()).isEqualTo(1024);
    assertThat(limits.leaseMs()).isEqualTo(1000);
    assertThat(limits.leaseFor(60)).isEqualTo(1);
    assertThat(limits.leaseFor(1_999)).isEqualTo(1);
    assertThat(limits.leaseFor(2_000)).isEqualTo(2);
    assertThat(limits.leaseFor(10_000)).isEqualTo(10);
    assertThat(limits.leaseFor(100_000)).isEqualTo(100);
    assertThat(limits.leaseFor(500_000)).isEqualTo(500);
    assertThat(limits.leaseFor(10_000_000)).isEqualTo(1024);
    LimitsConfig none = LimitsConfig.from(new JsonObject().put("limits", new JsonObject().put("leasePermits", 1)));
    assertThat(none.leaseFor(10_000_000)).isEqualTo(1);
  }

  @Test
  @DisplayName("a lease size or lifetime out of range fails start, naming the key")
  void outOfRange() {
    assertThatThrownBy(() -> LimitsConfig.from(new JsonObject().put("limits", new JsonObject().put("leasePermits", 0))))
      .hasMessageContaining("limits.leasePermits");
    assertThatThrownBy(() -> LimitsConfig.from(new JsonObject().put("limits", new JsonObject().put("leaseMs", 5))))
      .hasMessageContaining("limits.leaseMs");
  }
}
