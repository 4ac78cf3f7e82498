package io.ganglion.http.auth;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("CIDR sets")
class CidrSetTest {

  private static boolean in(CidrSet set, String address) {
    return set.contains(CidrSet.literal(address));
  }

  @Test
  @DisplayName("match IPv4 and IPv6 networks and single hosts, and IPv4-mapped IPv6 addresses as IPv4")
  void matches() {
    CidrSet set = CidrSet.parse(List.of("10.0.0.0/8", "192.168.1.7", "2001:db8::/32", " fd00::1 "));
    assertThat(in(set, "10.255.1.2")).isTrue();
    assertThat(in(set, "11.0.0.1")).isFalse();
    assertThat(in(set, "192.168.1.7")).isTrue();
    assertThat(in(set, "192.168.1.8")).isFalse();
    assertThat(in(set, "2001:db8:ffff::1")).isTrue();
    assertThat(in(set, "2001:db9::1")).isFalse();
    assertThat(in(set, "fd00::1")).isTrue();
    assertThat(in(set, "[fd00::1]")).isTrue();
    assertThat(in(set, "::ffff:10.1.2.3")).isTrue();
    assertThat(set.contains(null)).isFalse();
    assertThat(set.toStrings()).containsExactly("10.0.0.0/8", "192.168.1.7/32", "2001:db8::/32", "fd00::1/128");
  }

  @Test
  @DisplayName("/0 admits every address of its family only")
  void everything() {
    CidrSet v4 = CidrSet.parse(List.of("0.0.0.0/0"));
    assertThat(in(v4, "203.0.113.9")).isTrue();
    assertThat(in(v4, "2001:db8::1")).isFalse();
  }

  @Test
  @DisplayName("refuse host names, bad prefixes and garbage with a message naming the entry")
  void invalid() {
    assertThatThrownBy(() -> CidrSet.parse(List.of("example.com"))).hasMessageContaining("'example.com'");
    assertThatThrownBy(() -> CidrSet.parse(List.of("10.0.0.0/33"))).hasMessageContaining("between 0 and 32");
    assertThatThrownBy(() -> CidrSet.parse(List.of("2001:db8::/129"))).hasMessageContaining("between 0 and 128");
    assertThatThrownBy(() -> CidrSet.parse(List.of("10.0.0.0/x"))).hasMessageContaining("prefix length");
    assertThatThrownBy(() -> CidrSet.parse(List.of("10.0.0"))).isInstanceOf(IllegalArgumentException.class);
    assertThat(CidrSet.literal("localhost")).isNull();
  }
}
